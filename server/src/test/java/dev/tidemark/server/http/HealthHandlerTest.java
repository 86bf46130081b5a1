package dev.tidemark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.TableProblem;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("/readyz and capture health")
class HealthHandlerTest {

    private final List<TableProblem> problems = new ArrayList<>();
    private volatile String stall;

    private final CaptureHealth health = new CaptureHealth() {
        @Override
        public List<TableProblem> problems() {
            return List.copyOf(problems);
        }

        @Override
        public Optional<String> stalled() {
            return Optional.ofNullable(stall);
        }
    };

    private static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    private FullHttpResponse readyz(EmbeddedChannel channel) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/readyz"));
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).isNotNull();
        return response;
    }

    @Test
    @DisplayName("is not ready while a table is excluded or capture is stalled, and says which and how to fix it")
    void incomplete() {
        EmbeddedChannel channel = new EmbeddedChannel(new HealthHandler(() -> true, health));
        FullHttpResponse ok = readyz(channel);
        assertThat(ok.status()).isEqualTo(HttpResponseStatus.OK);
        ok.release();

        problems.add(new TableProblem("shop.nokey", "shop.nokey", "it has no primary key",
                "ALTER TABLE \"shop\".\"nokey\" ADD PRIMARY KEY (<columns>)"));
        FullHttpResponse excluded = readyz(channel);
        assertThat(excluded.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(excluded)).contains("incomplete").contains("shop.nokey").contains("ADD PRIMARY KEY");
        excluded.release();

        problems.clear();
        stall = "capture failed and is restarting: connection refused";
        FullHttpResponse stalled = readyz(channel);
        assertThat(stalled.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(stalled)).contains("stalled").contains("connection refused");
        stalled.release();

        stall = null;
        FullHttpResponse again = readyz(channel);
        assertThat(again.status()).isEqualTo(HttpResponseStatus.OK);
        again.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
