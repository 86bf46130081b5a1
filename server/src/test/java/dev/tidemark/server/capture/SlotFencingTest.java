package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.server.pg.TestDatabases;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Capture's startup touches the slot only while it holds the capture lease")
class SlotFencingTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static CaptureStartup startup(CaptureFixture fixture, CaptureSettings settings,
                                          CaptureStartup.LeaseCheck lease) {
        CapturedTables tables = new CapturedTables();
        return new CaptureStartup(settings, fixture.log, tables,
                new SchemaWatch(settings.publicationName(), tables, fixture.health), lease);
    }

    private static String slots(CaptureFixture fixture) {
        try {
            return fixture.queryString("SELECT count(*) FROM pg_replication_slots");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @DisplayName("a node that lost the lease before the slot is created creates no slot and starts no history")
    void noLeaseNoSlot() throws Exception {
        try (CaptureFixture fixture = new CaptureFixture(postgres.createDatabase())) {
            fixture.sql("CREATE TABLE items (id int PRIMARY KEY, name text)");
            CaptureSettings settings = fixture.settings("items").build();
            CaptureStartup startup = startup(fixture, settings, () -> {
                throw new CaptureException(CaptureError.LEASE, "lease lost (test)");
            });
            List<Connection> opened = new ArrayList<>();
            try (Connection connection = fixture.source.connect()) {
                assertThatThrownBy(() -> startup.prepare(connection, () -> {
                    Connection replication = fixture.source.connectReplication();
                    opened.add(replication);
                    return replication;
                })).isInstanceOf(CaptureException.class).hasMessageContaining("lease lost (test)");
            } finally {
                for (Connection replication : opened) {
                    replication.close();
                }
            }
            assertThat(fixture.queryString("SELECT count(*) FROM pg_replication_slots")).isEqualTo("0");
            assertThat(fixture.log.state()).isEmpty();
        }
    }

    @Test
    @DisplayName("the lease is checked right before the slot is created")
    void leaseCheckedBeforeCreate() throws Exception {
        try (CaptureFixture fixture = new CaptureFixture(postgres.createDatabase())) {
            fixture.sql("CREATE TABLE items (id int PRIMARY KEY, name text)");
            CaptureSettings settings = fixture.settings("items").build();
            AtomicInteger checks = new AtomicInteger();
            CaptureStartup startup = startup(fixture, settings, () -> {
                assertThat(slots(fixture)).isEqualTo("0");
                checks.incrementAndGet();
            });
            List<Connection> opened = new ArrayList<>();
            try (Connection connection = fixture.source.connect()) {
                StartPoint start = startup.prepare(connection, () -> {
                    Connection replication = fixture.source.connectReplication();
                    opened.add(replication);
                    return replication;
                });
                assertThat(start.newHistory()).isTrue();
            } finally {
                for (Connection replication : opened) {
                    replication.close();
                }
            }
            assertThat(checks).hasValue(1);
            assertThat(fixture.queryString("SELECT count(*) FROM pg_replication_slots")).isEqualTo("1");
        }
    }
}
