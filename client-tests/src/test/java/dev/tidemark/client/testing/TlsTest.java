package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client over wss://")
class TlsTest {

    @TempDir
    Path dir;

    private static X509Bundle certificate(String ip, String dns) throws Exception {
        CertificateBuilder builder = new CertificateBuilder().subject("CN=tidemark-test").ecp256()
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                .setIsCertificateAuthority(true).addExtendedKeyUsageServerAuth();
        if (ip != null) {
            builder.addSanIpAddress(ip);
        }
        if (dns != null) {
            builder.addSanDnsName(dns);
        }
        return builder.buildSelfSigned();
    }

    private static SSLContext trusting(X509Bundle certificate) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, certificate.toTrustManagerFactory().getTrustManagers(), null);
        return context;
    }

    @Test
    @DisplayName("syncs when it trusts the server's certificate and the certificate names the host")
    void syncs() throws Exception {
        X509Bundle certificate = certificate("127.0.0.1", null);
        try (ScriptedServer server = ScriptedServer.builder().tls(certificate.toKeyManagerFactory()).start()) {
            server.history().appendAll(Workload.standard(61).transactions(10, 10));
            assertThat(server.uri().getScheme()).isEqualTo("wss");
            try (SyncStore store = sqlite(dir.resolve("tls.db"));
                 TidemarkClient client = TidemarkClient.builder().serverUri(server.uri()).store(store)
                         .sslContext(trusting(certificate)).build().start()) {
                client.caughtUp().get(30, TimeUnit.SECONDS);
                assertThat(store.committedChecksum()).isEqualTo(server.history().checksumUpTo(server.history().head()));
            }
        }
    }

    @Test
    @DisplayName("refuses a trusted certificate issued for another host name")
    void verifiesTheHostName() throws Exception {
        X509Bundle certificate = certificate(null, "other.example");
        TestClients.Errors errors = new TestClients.Errors();
        try (ScriptedServer server = ScriptedServer.builder().tls(certificate.toKeyManagerFactory()).start();
             SyncStore store = sqlite(dir.resolve("tls.db"));
             TidemarkClient client = TidemarkClient.builder().serverUri(server.uri()).store(store)
                     .sslContext(trusting(certificate)).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                     .listener(errors).build().start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> errors.kinds().stream()
                    .filter(SyncError.Kind.CONNECTION::equals).count() >= 2);
            assertThat(errors.seen.get(0).message()).containsIgnoringCase("SSLHandshakeException");
            assertThat(client.status().state()).isNotEqualTo(ClientState.CONNECTED);
            assertThat(server.hellos()).isEmpty();
        }
    }
}
