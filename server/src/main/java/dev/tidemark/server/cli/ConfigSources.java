package dev.tidemark.server.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where settings come from, lowest precedence first: built-in defaults, a properties file, environment
 * variables ({@code tidemark.http.port} is {@code TIDEMARK_HTTP_PORT}), then command-line flags.
 */
final class ConfigSources {

    private ConfigSources() {}

    /** Merges the sources; environment variables count only for keys in {@code knownKeys}. */
    static Map<String, String> merge(Map<String, String> defaults, Path file, Map<String, String> environment,
                                     Map<String, String> flags, Collection<String> knownKeys) {
        Map<String, String> settings = new TreeMap<>(defaults);
        if (file != null) {
            settings.putAll(readFile(file));
        }
        for (String key : knownKeys) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                settings.put(key, value);
            }
        }
        settings.putAll(flags);
        return settings;
    }

    /** The environment variable that sets {@code key}. */
    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name.trim(), properties.getProperty(name).trim()));
        return settings;
    }

    /** The settings with secret values masked, fit for a log line. */
    static Map<String, String> redacted(Map<String, String> settings) {
        Map<String, String> shown = new TreeMap<>();
        settings.forEach((key, value) -> shown.put(key, isSecret(key) ? "****" : value));
        return shown;
    }

    static boolean isSecret(String key) {
        return key.endsWith("secret") || key.endsWith("password");
    }
}
