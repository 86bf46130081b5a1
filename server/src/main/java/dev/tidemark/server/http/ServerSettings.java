package dev.tidemark.server.http;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.hub.HubConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps flat settings ({@code tidemark.http.port=8080}, from a properties file, the environment or the CLI)
 * onto {@link SyncServerConfig}. Unknown keys and bad values fail with a message naming the key.
 *
 * <p>Durations: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT10S}). Sizes: bytes,
 * or with {@code KiB}, {@code MiB}, {@code GiB}.
 */
public final class ServerSettings {

    /** Every key this class knows. */
    public static final Set<String> KEYS = Set.of(
            "tidemark.http.bind-address", "tidemark.http.port", "tidemark.http.max-frame-bytes",
            "tidemark.http.max-message-bytes", "tidemark.http.handshake-timeout", "tidemark.http.idle-timeout",
            "tidemark.http.ping-interval", "tidemark.http.max-connections", "tidemark.http.write-buffer-high",
            "tidemark.http.write-buffer-low", "tidemark.http.io-threads", "tidemark.tls.certificate",
            "tidemark.tls.private-key", "tidemark.hub.window", "tidemark.hub.batch-max-changes",
            "tidemark.hub.batch-max-bytes", "tidemark.hub.resend-backoff", "tidemark.hub.resend-backoff-max",
            "tidemark.hub.resend-retry-limit", "tidemark.hub.progress-flush-interval",
            "tidemark.hub.empty-batch-interval", "tidemark.hub.live-buffer-bytes", "tidemark.hub.reader-threads",
            "tidemark.hub.history-check-interval", "tidemark.hub.verify-interval", "tidemark.hub.resync-rate",
            "tidemark.hub.resync-burst", "tidemark.hub.resync-jitter", "tidemark.auth.enabled", "tidemark.auth.secret");

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(KiB|MiB|GiB)?");

    private ServerSettings() {}

    /**
     * @throws IllegalArgumentException naming the key, for an unknown key or a bad value
     */
    public static SyncServerConfig fromProperties(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>();
        for (String key : settings.keySet()) {
            if (key.startsWith("tidemark.") && !KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown settings " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        Reader in = new Reader(settings);
        HttpConfig.Builder http = HttpConfig.builder();
        in.text("tidemark.http.bind-address", http::bindAddress);
        in.integer("tidemark.http.port", http::port);
        in.size("tidemark.http.max-frame-bytes", v -> http.maxFrameBytes(Math.toIntExact(v)));
        in.size("tidemark.http.max-message-bytes", v -> http.maxMessageBytes(Math.toIntExact(v)));
        in.duration("tidemark.http.handshake-timeout", http::handshakeTimeout);
        in.duration("tidemark.http.idle-timeout", http::idleTimeout);
        in.duration("tidemark.http.ping-interval", http::pingInterval);
        in.integer("tidemark.http.max-connections", http::maxConnections);
        in.size("tidemark.http.write-buffer-high", v -> http.writeBufferHighWaterMark(Math.toIntExact(v)));
        in.size("tidemark.http.write-buffer-low", v -> http.writeBufferLowWaterMark(Math.toIntExact(v)));
        in.integer("tidemark.http.io-threads", http::ioThreads);
        String certificate = settings.get("tidemark.tls.certificate");
        String key = settings.get("tidemark.tls.private-key");
        http.tls(certificate == null ? null : Path.of(certificate), key == null ? null : Path.of(key));

        HubConfig.Builder hub = HubConfig.builder();
        in.integer("tidemark.hub.window", hub::window);
        in.integer("tidemark.hub.batch-max-changes", hub::batchMaxChanges);
        in.size("tidemark.hub.batch-max-bytes", hub::batchMaxBytes);
        in.duration("tidemark.hub.resend-backoff", hub::resendBackoff);
        in.duration("tidemark.hub.resend-backoff-max", hub::resendBackoffMax);
        in.integer("tidemark.hub.resend-retry-limit", hub::resendRetryLimit);
        in.duration("tidemark.hub.progress-flush-interval", hub::progressFlushInterval);
        in.duration("tidemark.hub.empty-batch-interval", hub::emptyBatchInterval);
        in.size("tidemark.hub.live-buffer-bytes", hub::liveBufferBytes);
        in.integer("tidemark.hub.reader-threads", hub::readerThreads);
        in.duration("tidemark.hub.history-check-interval", hub::historyCheckInterval);
        in.duration("tidemark.hub.verify-interval", hub::verifyInterval);
        in.decimal("tidemark.hub.resync-rate", hub::resyncRatePerSecond);
        in.integer("tidemark.hub.resync-burst", hub::resyncBurst);
        in.decimal("tidemark.hub.resync-jitter", hub::resyncJitter);

        boolean authEnabled = in.bool("tidemark.auth.enabled", true);
        String secret = settings.get("tidemark.auth.secret");
        return build(() -> new SyncServerConfig(http.build(), hub.build(), new AuthConfig(authEnabled, secret)));
    }

    private static SyncServerConfig build(java.util.function.Supplier<SyncServerConfig> config) {
        try {
            return config.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid settings: " + e.getMessage(), e);
        }
    }

    /** Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601. */
    public static Duration parseDuration(String text) {
        String trimmed = text.trim();
        Matcher m = DURATION.matcher(trimmed);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                default:
                    return Duration.ofHours(amount);
            }
        }
        try {
            return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use 500ms, 10s, 5m, 1h or PT10S");
        }
    }

    /** Parses bytes, optionally with {@code KiB}, {@code MiB} or {@code GiB}. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use bytes, or e.g. 64KiB, 1MiB");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2);
        long factor = unit == null ? 1 : unit.equals("KiB") ? 1024 : unit.equals("MiB") ? 1024 * 1024 : 1024L * 1024 * 1024;
        return Math.multiplyExact(amount, factor);
    }

    private record Reader(Map<String, String> settings) {

        void text(String key, java.util.function.Consumer<String> to) {
            String value = settings.get(key);
            if (value != null) {
                to.accept(value);
            }
        }

        void integer(String key, java.util.function.IntConsumer to) {
            String value = settings.get(key);
            if (value != null) {
                try {
                    to.accept(Integer.parseInt(value.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number");
                }
            }
        }

        void decimal(String key, java.util.function.DoubleConsumer to) {
            String value = settings.get(key);
            if (value != null) {
                try {
                    to.accept(Double.parseDouble(value.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + ": '" + value + "' is not a number");
                }
            }
        }

        void size(String key, java.util.function.LongConsumer to) {
            String value = settings.get(key);
            if (value != null) {
                try {
                    to.accept(parseSize(value));
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage());
                }
            }
        }

        void duration(String key, java.util.function.Consumer<Duration> to) {
            String value = settings.get(key);
            if (value != null) {
                try {
                    to.accept(parseDuration(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage());
                }
            }
        }

        boolean bool(String key, boolean otherwise) {
            String value = settings.get(key);
            if (value == null) {
                return otherwise;
            }
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw new IllegalArgumentException(key + ": '" + value + "' is not true or false");
        }
    }
}
