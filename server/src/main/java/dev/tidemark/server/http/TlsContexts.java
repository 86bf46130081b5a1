package dev.tidemark.server.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** Builds the server's TLS context from PEM files. */
final class TlsContexts {

    private TlsContexts() {}

    /**
     * @throws IllegalArgumentException naming the files when they cannot be read or do not fit together
     */
    static SslContext fromPem(Path certificate, Path privateKey) {
        for (Path file : new Path[] {certificate, privateKey}) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("TLS file " + file.toAbsolutePath() + " is missing or not readable");
            }
        }
        try {
            return SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + certificate + " with key " + privateKey
                    + ": " + e.getMessage() + " (expected a PEM certificate chain and its PKCS#8 PEM private key)", e);
        }
    }
}
