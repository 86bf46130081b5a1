package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.JsonMerge;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.LoggedChange;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11, reproduction 2: a primary-key change of a row whose large column is stored out of line
 * (TOAST) and not changed. pgoutput does not send the unchanged column, so the change log must say
 * "move the entity and keep what it had" for the log alone to rebuild the source row.
 */
@DisplayName("Capture of a key change keeps unchanged TOASTed columns")
class KeyMoveCaptureTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    /** Over 2 kB and incompressible enough to be stored out of line under STORAGE EXTERNAL. */
    private static final String BIG_NOTE = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i)";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CaptureFixture fixture;

    @BeforeEach
    void open() {
        fixture = new CaptureFixture(postgres.createDatabase());
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    @DisplayName("UPDATE ... SET id = new: the log holds a move without the note, and replaying the log gives the source row")
    void toastedColumnSurvivesKeyChange() throws Exception {
        fixture.sql("CREATE TABLE items (id int PRIMARY KEY, grp text, note text)",
                "ALTER TABLE items ALTER COLUMN note SET STORAGE EXTERNAL");
        fixture.start(fixture.settings("items").build());
        fixture.sql("INSERT INTO items VALUES (1, 'a', " + BIG_NOTE + ")",
                "UPDATE items SET id = 2, grp = 'b' WHERE id = 1");
        fixture.sync();

        List<LoggedChange> changes = fixture.changes("items");
        assertThat(changes).hasSize(2);
        Change move = changes.get(1).change();
        assertThat(move.type()).isEqualTo(ChangeType.MOVE);
        assertThat(move.fromId()).isEqualTo("1");
        assertThat(move.entityId()).isEqualTo("2");
        assertThat(move.data()).as("pgoutput does not resend the unchanged TOASTed note")
                .isEqualTo("{\"id\":2,\"grp\":\"b\"}");
        assertThat(replay(changes)).isEqualTo(source("items", "id"));
        assertThat(replay(changes).get("2").get("note").asText()).hasSize(6400);
    }

    @Test
    @DisplayName("a composite key change, under REPLICA IDENTITY FULL too, moves the entity to its new key")
    void compositeKey() throws Exception {
        fixture.sql("CREATE SCHEMA sales",
                "CREATE TABLE sales.lines (region text, id int, qty int, note text, PRIMARY KEY (region, id))",
                "ALTER TABLE sales.lines ALTER COLUMN note SET STORAGE EXTERNAL",
                "CREATE TABLE full_lines (region text, id int, qty int, note text, PRIMARY KEY (region, id))",
                "ALTER TABLE full_lines ALTER COLUMN note SET STORAGE EXTERNAL",
                "ALTER TABLE full_lines REPLICA IDENTITY FULL");
        fixture.start(fixture.settings("sales.lines", "full_lines").build());
        fixture.sql("INSERT INTO sales.lines VALUES ('eu', 7, 1, " + BIG_NOTE + "), ('eu', 8, 1, 'small')",
                "UPDATE sales.lines SET region = 'us', qty = 2 WHERE id = 7",
                "UPDATE sales.lines SET id = 9 WHERE id = 8",
                "INSERT INTO full_lines VALUES ('eu', 7, 1, " + BIG_NOTE + ")",
                "UPDATE full_lines SET region = 'us', qty = 2");
        fixture.sync();

        List<LoggedChange> lines = fixture.changes("sales.lines");
        assertThat(lines).extracting(c -> c.change().type() + " " + c.change().fromId() + " " + c.change().entityId())
                .containsExactly("UPDATE null [\"eu\",7]", "UPDATE null [\"eu\",8]",
                        "MOVE [\"eu\",7] [\"us\",7]", "MOVE [\"eu\",8] [\"eu\",9]");
        assertThat(replay(lines)).isEqualTo(source("sales.lines", "json_build_array(region, id)::text"));
        List<LoggedChange> full = fixture.changes("full_lines");
        assertThat(full).extracting(c -> c.change().type() + " " + c.change().fromId() + " " + c.change().entityId())
                .containsExactly("UPDATE null [\"eu\",7]", "MOVE [\"eu\",7] [\"us\",7]");
        assertThat(replay(full)).isEqualTo(source("full_lines", "json_build_array(region, id)::text"));
    }

    @Test
    @DisplayName("a row inserted and then moved in one transaction keeps its TOASTed column, also when moved twice")
    void insertedAndMovedInOneTransaction() throws Exception {
        fixture.sql("CREATE TABLE items (id int PRIMARY KEY, grp text, note text)",
                "ALTER TABLE items ALTER COLUMN note SET STORAGE EXTERNAL");
        fixture.start(fixture.settings("items").build());
        fixture.transaction("INSERT INTO items VALUES (1, 'a', " + BIG_NOTE + "), (5, 'x', 'five')",
                "UPDATE items SET id = 2, grp = 'b' WHERE id = 1",
                "UPDATE items SET id = 3 WHERE id = 2",
                "DELETE FROM items WHERE id = 5",
                "UPDATE items SET id = 5 WHERE id = 3");
        fixture.sync();

        List<LoggedChange> changes = fixture.changes("items");
        assertThat(changes).extracting(c -> c.change().type() + " " + c.change().fromId() + " " + c.change().entityId())
                .containsExactly("UPDATE null 1", "UPDATE null 5", "MOVE 1 2", "MOVE 2 3", "DELETE null 5", "MOVE 3 5");
        assertThat(replay(changes)).isEqualTo(source("items", "id::text"));
        assertThat(replay(changes).get("5").get("note").asText()).hasSize(6400);
    }

    /** The entities the change log rebuilds, applied in order from nothing, as JSON by entity id. */
    private static Map<String, JsonNode> replay(List<LoggedChange> changes) throws IOException {
        Map<String, String> entities = new TreeMap<>();
        for (LoggedChange logged : changes) {
            Change change = logged.change();
            switch (change.type()) {
                case UPDATE -> entities.merge(change.entityId(), change.data(), JsonMerge::merge);
                case DELETE -> entities.remove(change.entityId());
                case TRUNCATE -> entities.clear();
                case MOVE -> {
                    String moved = entities.remove(change.fromId());
                    String base = moved != null ? moved : entities.get(change.entityId());
                    entities.put(change.entityId(), base == null ? change.data() : JsonMerge.merge(base, change.data()));
                }
            }
        }
        Map<String, JsonNode> parsed = new TreeMap<>();
        for (Map.Entry<String, String> entity : entities.entrySet()) {
            parsed.put(entity.getKey(), JSON.readTree(entity.getValue()));
        }
        return parsed;
    }

    /** The source table's rows as JSON by the entity id that {@code idExpression} renders. */
    private Map<String, JsonNode> source(String table, String idExpression) throws SQLException, IOException {
        Map<String, JsonNode> rows = new TreeMap<>();
        try (Connection connection = fixture.source.connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "SELECT " + idExpression + ", row_to_json(t)::text FROM " + table + " t")) {
            while (result.next()) {
                rows.put(result.getString(1).replace(", ", ","), JSON.readTree(result.getString(2)));
            }
        }
        return rows;
    }
}
