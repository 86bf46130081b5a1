package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.TableRefresh;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything capture does before it streams: check the source, bring the publication in line, and
 * decide between continuing the change log's history and starting a new one (creating or recreating
 * the slot when needed). A new history is logged as an error-level event: clients will resync.
 */
final class CaptureStartup {

    private static final Logger log = LoggerFactory.getLogger(CaptureStartup.class);

    private final CaptureSettings settings;
    private final ChangeLog changeLog;
    private final SlotManager slots;
    private final PublicationManager publication;
    private final CapturedTables tables;
    private final SchemaWatch watch;
    private final LeaseCheck lease;

    /**
     * @param lease checked immediately before the slot is created or dropped: only the lease holder may touch it
     */
    CaptureStartup(CaptureSettings settings, ChangeLog changeLog, CapturedTables tables, SchemaWatch watch,
                   LeaseCheck lease) {
        this.lease = requireNonNull(lease, "lease is null");
        this.tables = tables;
        this.watch = watch;
        this.settings = settings;
        this.changeLog = changeLog;
        this.slots = new SlotManager(settings);
        this.publication = new PublicationManager(settings);
    }

    /** Checks that this node still holds the capture lease. */
    @FunctionalInterface
    interface LeaseCheck {
        /** @throws CaptureException ({@link CaptureError#LEASE}) when it does not */
        void verify();
    }

    /** Opens the replication connection, after the checks that would explain why it cannot be opened. */
    @FunctionalInterface
    interface ReplicationConnector {
        Connection connect() throws SQLException;
    }

    /**
     * @param connection an ordinary connection to the source
     * @param replication opens the replication connection
     */
    StartPoint prepare(Connection connection, ReplicationConnector replication) throws SQLException {
        SourceChecks.check(connection);
        publication.apply(connection);
        Connection replicationConnection = replication.connect();
        SourceIdentity source = SourceIdentity.identify(replicationConnection);
        Optional<HistoryState> state = changeLog.state();
        Optional<SlotInfo> slot = slots.find(connection, source.database());
        HistoryDecision decision = HistoryDecision.decide(state, source, slot, settings.slotName());
        if (!decision.newHistory()) {
            log.info("capture: {}", decision.reason());
            tables.load(changeLog.capturedTableShapes());
            watch.check(connection);
            return new StartPoint(state.orElseThrow().historyId(), decision.startPosition(), false);
        }
        Lsn start = switch (decision.action()) {
            case NEW_HISTORY_ON_SLOT -> decision.startPosition();
            case NEW_HISTORY_CREATE_SLOT -> {
                lease.verify();
                yield slots.create(replicationConnection);
            }
            case NEW_HISTORY_RECREATE_SLOT -> {
                lease.verify();
                slots.drop(connection);
                lease.verify();
                yield slots.create(replicationConnection);
            }
            case CONTINUE -> throw new IllegalStateException("unreachable");
        };
        String historyId = new HistoryIdentity(source.systemId(), source.timeline(), settings.slotName(), start).historyId();
        if (state.isPresent()) {
            log.error("NEW HISTORY {} replaces history {}: {}. The change log is emptied and starts again at {};"
                    + " every client will be told to resync.", historyId, state.get().historyId(), decision.reason(), start);
        } else {
            log.warn("new history {} starting at {}: {}", historyId, start, decision.reason());
        }
        // Every captured table is complete only from the history's start: clients load each one's snapshot.
        Map<String, String> shapes = new TreeMap<>();
        List<TableRefresh> refreshes = new ArrayList<>();
        for (TableShape shape : SchemaCatalog.published(connection, settings.publicationName())) {
            if (shape.problem().isEmpty()) {
                shapes.put(shape.entityType(), shape.text());
                refreshes.add(new TableRefresh(start, shape.entityType(), "history " + historyId + " started"));
            }
        }
        // The change log's leader epoch fences this too: refused when another node took the lead meanwhile.
        changeLog.startHistory(historyId, start, refreshes);
        changeLog.saveCapturedTableShapes(shapes, List.of());
        tables.load(shapes);
        watch.check(connection);
        return new StartPoint(historyId, start, true);
    }
}
