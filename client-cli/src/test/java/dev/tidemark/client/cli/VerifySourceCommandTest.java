package dev.tidemark.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.testing.ScriptedServer;
import dev.tidemark.client.testing.Workload;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.RepairedEntities;
import dev.tidemark.protocol.SourceDiff;
import dev.tidemark.protocol.SourceDigest;
import dev.tidemark.protocol.SourceVerify;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.SourceVerifyStatus;
import dev.tidemark.protocol.TypeDigest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("tidemark-client --verify-source")
class VerifySourceCommandTest {

    @TempDir
    Path dir;

    private ScriptedServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private int run(SourceVerifyResult outcome) {
        server = ScriptedServer.builder().batchMaxChanges(50).start();
        server.history().appendAll(Workload.standard(7).transactions(5, 4));
        AtomicReference<SourceDiff> diff = new AtomicReference<>();
        server.sourceVerifyAnswer(message -> {
            if (message instanceof SourceVerify) {
                // A type the store does not hold and the source does not either: both digests are empty.
                return List.<Message>of(new SourceDigest(server.history().head(),
                        List.of(TypeDigest.empty("nothing_here", 0))));
            }
            if (message instanceof SourceDiff answer) {
                diff.set(answer);
                return List.<Message>of(outcome);
            }
            return List.of();
        });
        CommandLine command = TidemarkClientCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute("--server", server.uri().toString(), "--file", dir.resolve("c.db").toString(),
                "--progress", "0", "--verify-source");
        assertThat(diff.get()).as("the client digested at the server's position and found nothing different")
                .isEqualTo(new SourceDiff(server.history().head(), List.of()));
        return code;
    }

    @Test
    @DisplayName("exits 0 when the store agrees with the source, showing the steps")
    void agreed() {
        int code = run(new SourceVerifyResult(SourceVerifyStatus.AGREE, Lsn.parse("0/10"), List.of(), null));
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("caught up at", "verifying the store against the source",
                "nothing_here: 0 entities here, 0 at the source, equal", "the store agrees with the source at 0/10");
    }

    @Test
    @DisplayName("exits 5 when entities were repaired, naming them")
    void repaired() {
        int code = run(new SourceVerifyResult(SourceVerifyStatus.REPAIRED, Lsn.parse("0/10"),
                List.of(new RepairedEntities("items", List.of("13", "5"))), null));
        assertThat(code).as("stderr: %s", err).isEqualTo(5);
        assertThat(out.toString()).contains("repaired 2 entities of [items] at 0/10", "repaired items: 13, 5");
    }

    @Test
    @DisplayName("exits 6 when the verify failed, saying why")
    void failed() {
        int code = run(SourceVerifyResult.failed(Lsn.ZERO, "too many source_verify requests: retry in 5 ms"));
        assertThat(code).as("stderr: %s", err).isEqualTo(6);
        assertThat(out.toString()).contains("the verify against the source failed: too many source_verify requests");
    }
}
