package dev.tidemark.client.testing;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The change history a {@link ScriptedServer} streams from: source transactions with strictly
 * increasing commit LSNs. Appending wakes the server's sessions, like a live tail. Thread-safe.
 */
public final class ServerHistory {

    /** The distance between two commit positions. */
    static final long STEP = 0x100;

    private final List<Transaction> transactions = new ArrayList<>();
    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    private long next;

    ServerHistory(Lsn start) {
        this.next = start.value();
    }

    /** Appends a transaction with the next commit position; returns it. */
    public Transaction append(List<Change> changes) {
        Transaction transaction;
        synchronized (this) {
            next += STEP;
            transaction = new Transaction(Lsn.of(next), changes);
            transactions.add(transaction);
        }
        appendListeners.forEach(Runnable::run);
        return transaction;
    }

    /** Appends each list as a transaction. */
    public List<Transaction> appendAll(List<List<Change>> transactions) {
        List<Transaction> appended = new ArrayList<>(transactions.size());
        for (List<Change> changes : transactions) {
            appended.add(append(changes));
        }
        return appended;
    }

    /** The commit position of the last transaction, or the start position when empty. */
    public synchronized Lsn head() {
        return Lsn.of(next);
    }

    /** Every transaction, in order. */
    public synchronized List<Transaction> transactions() {
        return List.copyOf(transactions);
    }

    /** The transactions after {@code position}, in order. */
    public synchronized List<Transaction> after(Lsn position) {
        List<Transaction> after = new ArrayList<>();
        for (Transaction transaction : transactions) {
            if (transaction.lsn().isAfter(position)) {
                after.add(transaction);
            }
        }
        return after;
    }

    /** The index of the first transaction after {@code position}. */
    public synchronized int indexAfter(Lsn position) {
        int low = 0;
        int high = transactions.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (transactions.get(middle).lsn().isAfter(position)) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    /** The transaction at {@code index}, or null past the end. */
    public synchronized Transaction at(int index) {
        return index < transactions.size() ? transactions.get(index) : null;
    }

    /** True when {@code position} is the start or a commit position of this history. */
    public synchronized boolean isBoundary(Lsn position) {
        if (position.equals(Lsn.ZERO) || position.equals(start())) {
            return true;
        }
        return transactions.stream().anyMatch(transaction -> transaction.lsn().equals(position));
    }

    /** Every change up to and including {@code position}, in order. */
    public synchronized List<Change> changesUpTo(Lsn position) {
        List<Change> changes = new ArrayList<>();
        for (Transaction transaction : transactions) {
            if (!transaction.lsn().isAfter(position)) {
                changes.addAll(transaction.changes());
            }
        }
        return changes;
    }

    /** The checksum of every change up to {@code position}. */
    public long checksumUpTo(Lsn position) {
        return Checksum.of(changesUpTo(position));
    }

    /** How many changes the whole history holds. */
    public synchronized long changeCount() {
        return transactions.stream().mapToLong(transaction -> transaction.changes().size()).sum();
    }

    private Lsn start() {
        return Lsn.of(next - STEP * transactions.size());
    }

    void onAppend(Runnable listener) {
        appendListeners.add(requireNonNull(listener, "listener is null"));
    }
}
