package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SourceDiff;
import dev.tidemark.protocol.SourceVerify;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.SourceVerifyStatus;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub's answers to bad source verify input")
class SourceVerifyHubTest extends HubTestBase {

    @Test
    @DisplayName("malformed, unexpected and misdirected messages get error (or a failed result) and change nothing")
    void badInput() {
        startServer();
        WsTestClient client = hello("c1", Lsn.ZERO);
        capture.commit("orders", "o", 2);
        client.next(dev.tidemark.protocol.Changes.class, WAIT);

        client.send("{\"type\":\"source_diff\",\"lsn\":\"0/1\",\"buckets\":[{\"entityType\":\"t\",\"bucketBits\":1,"
                + "\"buckets\":[2]}]}");
        ErrorMessage malformed = client.next(ErrorMessage.class, WAIT);
        assertThat(malformed.code()).isEqualTo(ErrorCode.INVALID_FIELD);
        assertThat(malformed.message()).contains("ascend");

        client.send("{\"type\":\"source_digest\",\"lsn\":\"0/1\",\"digests\":[{\"entityType\":\"t\",\"bucketBits\":0,"
                + "\"counts\":[1],\"sums\":[\"not a digest\"]}]}");
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.INVALID_FIELD);

        client.send(new SourceDiff(Lsn.parse("0/1"), List.of()));
        ErrorMessage unexpected = client.next(ErrorMessage.class, WAIT);
        assertThat(unexpected.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
        assertThat(unexpected.message()).contains("send source_verify first");

        client.send(SourceVerifyResult.failed(Lsn.ZERO, "a client does not send this"));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);

        client.send(new SourceVerify("c2", List.of()));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(client.next(SourceVerifyResult.class, WAIT).status()).isEqualTo(SourceVerifyStatus.FAILED);

        // This hub reads no snapshots of the source: a verify fails, saying so, and the stream goes on.
        client.send(new SourceVerify("c1", List.of()));
        SourceVerifyResult noSource = client.next(SourceVerifyResult.class, WAIT);
        assertThat(noSource.status()).isEqualTo(SourceVerifyStatus.FAILED);
        assertThat(noSource.message()).contains("cannot verify against it");
        Lsn next = capture.commit("orders", "p", 1);
        assertThat(client.next(dev.tidemark.protocol.Changes.class, WAIT).lsn()).isEqualTo(next);
    }
}
