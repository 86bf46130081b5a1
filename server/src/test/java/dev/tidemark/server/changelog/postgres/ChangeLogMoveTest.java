package dev.tidemark.server.changelog.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The postgres change log keeps a move's old key")
class ChangeLogMoveTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Instant T = Instant.parse("2024-05-06T07:08:09.123456Z");
    private static final Lsn L1 = Lsn.parse("0/100");

    private SourceSettings database;
    private ChangeLog log;

    @BeforeEach
    void open() {
        database = postgres.createDatabase();
        log = PostgresChangeLogTest.provider().open(database.asChangeLogConfig());
        log.startHistory("h1", Lsn.ZERO);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    @DisplayName("a move is stored and read back with its fromId, and counts in the checksum")
    void roundTrip() {
        List<LoggedChange> changes = List.of(
                new LoggedChange(L1, 0, 7, Change.update("items", "1", "{\"id\":1,\"note\":\"long\"}", T)),
                new LoggedChange(L1, 1, 7, Change.move("items", "1", "2", "{\"id\":2,\"grp\":\"b\"}", T)),
                new LoggedChange(L1, 2, 7, Change.move("sales.orders", "[\"eu\",\t7]", "[\"us\",7]",
                        "{\"region\":\"us\",\"id\":7}", T)),
                new LoggedChange(L1, 3, 7, Change.delete("items", "2", "{\"id\":2}", T)));
        log.append(changes, Optional.of(L1));

        List<LoggedChange> read = log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), 100);

        assertThat(read).containsExactlyElementsOf(changes);
        assertThat(read.get(1).change().fromId()).isEqualTo("1");
        assertThat(read.get(2).change().fromId()).isEqualTo("[\"eu\",\t7]");
        assertThat(log.checksumThrough(L1)).hasValue(Checksum.of(changes.stream().map(LoggedChange::change).toList()));
    }

    @Test
    @DisplayName("a version 1 log with changes upgrades in place: old changes read the same, moves append")
    void upgradesFromVersion1() throws SQLException {
        Change before = Change.update("items", "1", "{\"id\":1}", T);
        log.append(List.of(new LoggedChange(L1, 0, 7, before)), Optional.of(L1));
        log.close();
        // Back to the version 1 schema, as a server of that version left it.
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE tidemark.change_history DROP CONSTRAINT change_history_from_id_check,"
                    + " DROP CONSTRAINT change_history_op_check, DROP COLUMN from_id,"
                    + " ADD CONSTRAINT change_history_op_check CHECK (op IN ('update', 'delete', 'truncate'))");
            s.execute("DROP TABLE tidemark.table_refresh, tidemark.captured_table, tidemark.type_checksum");
            s.execute("ALTER TABLE tidemark.history_state DROP COLUMN type_checksums_known, DROP COLUMN type_names,"
                    + " DROP COLUMN type_totals, DROP COLUMN pending_type_checksums");
            LegacySchema.recordVersion(c, 1);
        }

        log = PostgresChangeLogTest.provider().open(database.asChangeLogConfig());
        Lsn l2 = Lsn.parse("0/200");
        Change move = Change.move("items", "1", "2", "{\"id\":2}", T);
        log.append(List.of(new LoggedChange(l2, 0, 8, move)), Optional.of(l2));

        assertThat(log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), 100))
                .containsExactly(new LoggedChange(L1, 0, 7, before), new LoggedChange(l2, 0, 8, move));
        assertThat(log.checksumThrough(l2)).hasValue(Checksum.of(before) + Checksum.of(move));
    }

    @Test
    @DisplayName("the table refuses a move without an old key and an old key on any other change")
    void tableChecks() throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("INSERT INTO tidemark.change_history"
                    + " (lsn, seq, xid, op, entity_type, entity_id, data) VALUES ('0/900', 0, 1, 'move', 't', '2', '{}')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("change_history_from_id_check");
            assertThatThrownBy(() -> s.execute("INSERT INTO tidemark.change_history"
                    + " (lsn, seq, xid, op, entity_type, entity_id, data, from_id)"
                    + " VALUES ('0/900', 0, 1, 'update', 't', '2', '{}', '1')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("change_history_from_id_check");
            assertThatThrownBy(() -> s.execute("INSERT INTO tidemark.change_history"
                    + " (lsn, seq, xid, op, entity_type, entity_id, data) VALUES ('0/900', 0, 1, 'upsert', 't', '2', '{}')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("change_history_op_check");
        }
    }
}
