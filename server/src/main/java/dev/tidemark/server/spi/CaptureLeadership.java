package dev.tidemark.server.spi;

import java.util.Optional;

/**
 * Leader fencing of a change log that several server nodes share: the log keeps an epoch that grows each
 * time a node takes the lead, and accepts appends only from the node of the current epoch.
 *
 * <p>A node takes the lead only while it holds the capture lease (an advisory lock); the epoch protects
 * the log from a node that lost the lease but still has an append in flight.
 */
public interface CaptureLeadership {

    /**
     * Records that {@code node} leads capture from {@code slotName}, with a new epoch; from then on appends
     * through this change log are accepted only while the log's epoch is still this one (an append after
     * another node took the lead fails with {@link StaleLeaderException} and changes nothing).
     *
     * @return the new leader record
     */
    CaptureLeader take(String node, String slotName);

    /** The leader as recorded, or empty when no node ever led this log. */
    Optional<CaptureLeader> current();

    /**
     * This node no longer leads: from now on every append through this change log is refused with
     * {@link StaleLeaderException} and changes nothing, until {@link #take} is called again. (An append still in
     * flight from the ended term must not slip through after the lease was lost.)
     */
    void release();
}
