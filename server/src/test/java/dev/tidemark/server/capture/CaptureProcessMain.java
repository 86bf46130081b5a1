package dev.tidemark.server.capture;

import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A capture server in a process of its own, for the crash test: runs capture until the process is
 * killed. Arguments: source JDBC URL, user, slot, publication, comma-separated tables, chunk size.
 */
public final class CaptureProcessMain {

    private CaptureProcessMain() {}

    public static void main(String[] args) throws InterruptedException {
        SourceSettings source = new SourceSettings(args[0], args[1], null);
        CaptureSettings settings = CaptureSettings.builder()
                .slotName(args[2])
                .publicationName(args[3])
                .tables(List.of(args[4].split(",")))
                .chunkChanges(Integer.parseInt(args[5]))
                .maxBatchChanges(Integer.parseInt(args[5]) * 4)
                .queueCapacity(1_000)
                .heartbeatInterval(Duration.ofMillis(500))
                .restartBackoff(Duration.ofMillis(100))
                .maxRestartBackoff(Duration.ofMillis(500))
                .build();
        ChangeLog log = CaptureFixture.openChangeLog(source);
        CaptureService capture = new CaptureService(settings, source, log, new ChangeFeed(),
                new CaptureMetrics(new SimpleMeterRegistry()));
        capture.start();
        System.out.println("CAPTURE STARTED " + capture.status().historyId());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
