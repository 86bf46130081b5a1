package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.spi.CaptureLeader;
import dev.tidemark.server.spi.CaptureLeadership;
import dev.tidemark.server.spi.ChangeLogException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code tidemark.capture_leader} (migration V5): the leader epoch, taken by a node that got the capture lease,
 * and the fencing of this log's appends by it (see {@link ChangeAppender#fence}).
 */
final class LeaderTable implements CaptureLeadership {

    private static final String TAKE = "UPDATE tidemark.capture_leader SET epoch = epoch + 1, node = ?, slot_name = ?,"
            + " since = now() RETURNING epoch, node, slot_name, since";
    private static final String CURRENT = "SELECT epoch, node, slot_name, since FROM tidemark.capture_leader"
            + " WHERE node IS NOT NULL";

    private final DataSource pool;
    private final ChangeAppender appender;

    LeaderTable(DataSource pool, ChangeAppender appender) {
        this.pool = requireNonNull(pool, "pool is null");
        this.appender = requireNonNull(appender, "appender is null");
    }

    @Override
    public CaptureLeader take(String node, String slotName) {
        requireNonNull(node, "node is null");
        requireNonNull(slotName, "slotName is null");
        try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(TAKE)) {
            statement.setString(1, node);
            statement.setString(2, slotName);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new ChangeLogException("the change log has no tidemark.capture_leader row: it was removed by"
                            + " hand; restore it with INSERT INTO tidemark.capture_leader (epoch) VALUES (0)");
                }
                CaptureLeader leader = leader(row);
                appender.fence(leader.epoch());
                return leader;
            }
        } catch (SQLException e) {
            throw new ChangeLogException("change log could not record the capture leader: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<CaptureLeader> current() {
        try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(CURRENT);
                ResultSet row = statement.executeQuery()) {
            return row.next() ? Optional.of(leader(row)) : Optional.empty();
        } catch (SQLException e) {
            throw new ChangeLogException("change log could not read the capture leader: " + e.getMessage(), e);
        }
    }

    @Override
    public void release() {
        appender.fence(ChangeAppender.REVOKED);
    }

    private static CaptureLeader leader(ResultSet row) throws SQLException {
        return new CaptureLeader(row.getLong(1), row.getString(2), row.getString(3),
                row.getObject(4, OffsetDateTime.class).toInstant());
    }
}
