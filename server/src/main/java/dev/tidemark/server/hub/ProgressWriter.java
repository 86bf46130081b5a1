package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ClientProgress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code client_progress} in batches: sessions record their latest progress here (a map put, on
 * their own thread), and {@link #flush()} writes every changed row in one {@link ChangeLog#saveProgress}
 * call. A failed write keeps the rows for the next flush. Thread-safe.
 */
final class ProgressWriter {

    private static final Logger log = LoggerFactory.getLogger(ProgressWriter.class);

    private final ChangeLog changeLog;
    private final Map<String, ClientProgress> dirty = new ConcurrentHashMap<>();
    private final Timer flushes;
    private final Counter failures;

    ProgressWriter(ChangeLog changeLog, MeterRegistry registry) {
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.flushes = Timer.builder("tidemark.progress.flushes")
                .description("client_progress batch writes").register(registry);
        this.failures = Counter.builder("tidemark.progress.flush.failures").register(registry);
    }

    /** Records a client's latest progress; written with the next flush. */
    void record(ClientProgress progress) {
        dirty.put(progress.clientId(), progress);
    }

    /** Writes every recorded row in one call; keeps them on failure. Called from one thread at a time. */
    synchronized void flush() {
        if (dirty.isEmpty()) {
            return;
        }
        List<ClientProgress> rows = new ArrayList<>(dirty.values());
        try {
            flushes.record(() -> changeLog.saveProgress(rows));
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("could not write the progress of {} clients; retrying with the next flush: {}",
                    rows.size(), e.toString());
            return;
        }
        for (ClientProgress row : rows) {
            dirty.remove(row.clientId(), row);
        }
    }
}
