package dev.tidemark.server.capture;

import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds, checks, creates and drops capture's logical replication slot. */
final class SlotManager {

    private static final Logger log = LoggerFactory.getLogger(SlotManager.class);

    private final CaptureSettings settings;

    SlotManager(CaptureSettings settings) {
        this.settings = settings;
    }

    /** The slot, checked to be a pgoutput slot of {@code database}; empty when it does not exist. */
    Optional<SlotInfo> find(Connection connection, String database) throws SQLException {
        Optional<SlotInfo> slot = SlotInfo.find(connection, settings.slotName());
        if (slot.isPresent()) {
            SlotInfo info = slot.get();
            if (!"logical".equals(info.slotType()) || !"pgoutput".equals(info.plugin())) {
                throw new CaptureException(CaptureError.SLOT, "replication slot " + info.name() + " is a "
                        + info.slotType() + " slot with plugin " + info.plugin() + ", not a logical pgoutput slot:"
                        + " configure another slot name, or drop it if nothing else uses it");
            }
            if (!database.equals(info.database())) {
                throw new CaptureException(CaptureError.SLOT, "replication slot " + info.name()
                        + " belongs to database " + info.database() + ", not " + database
                        + ": configure another slot name");
            }
        }
        return slot;
    }

    /**
     * Creates the slot through a replication connection.
     *
     * @return its consistent point: every transaction committing after it will be streamed
     */
    Lsn create(Connection replicationConnection) throws SQLException {
        if (!settings.createSlot()) {
            throw new CaptureException(CaptureError.SLOT, "replication slot " + settings.slotName()
                    + " does not exist: create it (SELECT pg_create_logical_replication_slot('" + settings.slotName()
                    + "', 'pgoutput')) or let capture create it (createSlot)");
        }
        try (Statement statement = replicationConnection.createStatement();
                ResultSet row = statement.executeQuery("CREATE_REPLICATION_SLOT "
                        + PublicationManager.quote(settings.slotName()) + " LOGICAL pgoutput (SNAPSHOT 'nothing')")) {
            row.next();
            Lsn consistentPoint = Lsn.parse(row.getString("consistent_point"));
            log.info("created replication slot {} at {}", settings.slotName(), consistentPoint);
            return consistentPoint;
        }
    }

    /** Drops the slot; it must not be in use. */
    void drop(Connection connection) throws SQLException {
        try (PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            drop.setString(1, settings.slotName());
            drop.execute();
        }
        log.warn("dropped replication slot {}", settings.slotName());
    }
}
