package dev.tidemark.client.testing;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import java.util.List;

/**
 * One source transaction in a {@link ServerHistory}: its commit position and its changes.
 *
 * @param lsn the commit LSN
 * @param changes the changes in order
 */
public record Transaction(Lsn lsn, List<Change> changes) {

    public Transaction {
        requireNonNull(lsn, "lsn is null");
        changes = List.copyOf(changes);
    }
}
