package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogPagesTest {

    private final InMemoryChangeLog changeLog = new InMemoryChangeLog();
    private final BatchAssembler assembler = new BatchAssembler(4, 1_000_000);
    private final LogPages pages = new LogPages(changeLog, Runnable::run, new LiveTail(1 << 20, () -> { }),
            new HubMetrics(new SimpleMeterRegistry()));

    @Test
    @DisplayName("a multi-part batch whose transaction was trimmed between two parts is not retained: it never"
            + " ends with the parts sent so far")
    void trimThroughTheOpenTransactionEndsTheStream() throws Exception {
        changeLog.startHistory("h", Lsn.of(10));
        changeLog.append(transaction(20, 10), Optional.of(Lsn.of(20)));
        changeLog.append(transaction(30, 1), Optional.of(Lsn.of(30)));

        LogPages.Page first = read(AssemblyState.at(Lsn.of(10)));
        assertThat(first.retained()).isTrue();
        assertThat(first.assembled().messages()).singleElement()
                .satisfies(part -> assertThat(part.isPart()).isTrue())
                .satisfies(part -> assertThat(part.completesBatch()).isFalse());
        AssemblyState insideTransaction = first.assembled().next();
        assertThat(insideTransaction.open()).isNotNull();

        changeLog.trim(Lsn.of(20)); // through the transaction being streamed: its other parts are gone

        LogPages.Page next = read(insideTransaction);
        assertThat(next.retained()).as("a stream inside a trimmed transaction").isFalse();
        // What the stream would have sent had it gone on: the batch ended with only its first part.
        assertThat(next.assembled().messages()).extracting(Changes::completesBatch).containsExactly(true);
        assertThat(next.assembled().messages().get(0).data()).isEmpty();
    }

    @Test
    @DisplayName("a stream between transactions at the retention boundary is retained; before it, it is not")
    void streamBetweenTransactionsAtTheBoundaryGoesOn() throws Exception {
        changeLog.startHistory("h", Lsn.of(10));
        changeLog.append(transaction(20, 2), Optional.of(Lsn.of(20)));
        changeLog.append(transaction(30, 2), Optional.of(Lsn.of(30)));
        changeLog.trim(Lsn.of(20));

        LogPages.Page atBoundary = read(AssemblyState.at(Lsn.of(20)));
        assertThat(atBoundary.retained()).isTrue();
        assertThat(atBoundary.assembled().messages()).singleElement()
                .satisfies(batch -> assertThat(batch.data()).hasSize(2));
        assertThat(read(AssemblyState.at(Lsn.of(10))).retained()).isFalse();
    }

    private LogPages.Page read(AssemblyState from) throws Exception {
        CompletableFuture<LogPages.Page> page = new CompletableFuture<>();
        // As the outbox reads: inside a multi-part batch only up to its transaction.
        Lsn upTo = from.open() != null ? from.open().lsn() : changeLog.state().orElseThrow().capturePosition();
        pages.readPage(from, upTo, EntityFilter.ALL, assembler, 0,
                Runnable::run, page::complete, page::completeExceptionally);
        return page.get(10, TimeUnit.SECONDS);
    }

    private static List<LoggedChange> transaction(long lsn, int changes) {
        List<LoggedChange> rows = new ArrayList<>();
        for (int seq = 0; seq < changes; seq++) {
            rows.add(new LoggedChange(Lsn.of(lsn), seq, lsn,
                    Change.update("t", lsn + "-" + seq, "{\"v\":" + seq + "}", Instant.EPOCH)));
        }
        return rows;
    }
}
