package dev.tidemark.app.demo;

import static java.util.Objects.requireNonNull;

import dev.tidemark.app.pg.EmbeddedSource;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;
import java.util.Set;

/**
 * The demo's settings file: what {@code tidemark status}, {@code check} and {@code token} need to reach
 * the running demo with {@code -c FILE} — the embedded PostgreSQL's URL and user, the captured tables,
 * the endpoint and the token secret. Readable by its owner only (mode 0600), as it holds the secret.
 * The secret is kept from one run to the next, so tokens minted for the demo stay valid.
 *
 * @param file where the settings are
 * @param secret the secret tokens are signed with
 */
public record DemoSettings(Path file, String secret) {

    static final String SECRET_KEY = "tidemark.auth.secret";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    public DemoSettings {
        requireNonNull(file, "file is null");
        requireNonNull(secret, "secret is null");
    }

    /** Writes the settings for {@code postgres} and the endpoint on {@code port}, keeping an earlier run's secret. */
    public static DemoSettings write(Path file, EmbeddedSource postgres, int port) {
        String secret = previousSecret(file);
        String text = String.join("\n",
                "# Written by 'tidemark demo' at each start (PostgreSQL's port changes); valid while the demo runs.",
                "# ./tidemark status -c " + file + "   |   check -c ...   |   token -c ... --client-id ID",
                "tidemark.source.jdbc-url=" + postgres.settings().jdbcUrl(),
                "tidemark.source.user=" + EmbeddedSource.SUPERUSER,
                "tidemark.capture.tables=" + String.join(",", DemoSchema.TABLES),
                "tidemark.http.bind-address=127.0.0.1",
                "tidemark.http.port=" + port,
                SECRET_KEY + "=" + secret,
                "");
        try {
            Path directory = file.toAbsolutePath().getParent();
            Path temporary = Files.createTempFile(directory, ".tidemark", ".properties",
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo's settings to " + file + ": " + e.getMessage(), e);
        }
        return new DemoSettings(file, secret);
    }

    private static String previousSecret(Path file) {
        if (Files.isReadable(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                properties.clear();
            }
            String secret = properties.getProperty(SECRET_KEY, "").trim();
            if (secret.length() >= 32) {
                return secret;
            }
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }
}
