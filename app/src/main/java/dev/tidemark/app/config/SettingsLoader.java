package dev.tidemark.app.config;

import static java.util.Objects.requireNonNull;

import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigMappings.ConfigClass;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Binds {@link TidemarkSettings} with SmallRye Config from, lowest precedence first: built-in defaults, the
 * command's own defaults, a properties file, environment variables ({@code tidemark.http.port} is
 * {@code TIDEMARK_HTTP_PORT}), then command-line flags. An unknown {@code tidemark.*} key or a value of the
 * wrong type fails, naming the key.
 */
public final class SettingsLoader {

    private static final ConfigClass MAPPING = ConfigClass.configClass(TidemarkSettings.class, "tidemark");
    private static final String UNKNOWN_HINT = ": 'tidemark serve --help' lists the known ones, and docs/operations.md"
            + " (Configuration reference) explains each";

    private SettingsLoader() {}

    /**
     * Where settings come from.
     *
     * @param defaults a command's own defaults
     * @param file a properties file, if given
     * @param environment the environment variables
     * @param flags settings from the command line
     */
    public record Sources(Map<String, String> defaults, Optional<Path> file, Map<String, String> environment,
                          Map<String, String> flags) {

        public Sources {
            defaults = Map.copyOf(requireNonNull(defaults, "defaults is null"));
            requireNonNull(file, "file is null");
            environment = Map.copyOf(requireNonNull(environment, "environment is null"));
            flags = Map.copyOf(requireNonNull(flags, "flags is null"));
        }

        /** Only {@code settings}, as if given as flags. */
        public static Sources of(Map<String, String> settings) {
            return new Sources(Map.of(), Optional.empty(), Map.of(), settings);
        }
    }

    /**
     * Bound settings.
     *
     * @param settings the typed settings
     * @param given the keys set by a source other than the built-in defaults, secrets masked, for a log line
     */
    public record Loaded(TidemarkSettings settings, Map<String, String> given) {}

    /** Every key the server reads. */
    public static SortedSet<String> keys() {
        SortedSet<String> keys = new TreeSet<>(ConfigMappings.getProperties(MAPPING).keySet());
        keys.removeIf(key -> key.endsWith("[*]")); // a list's items, set through the list's own key
        return keys;
    }

    /** The built-in default of each key that has one (as written in {@link TidemarkSettings}). */
    public static SortedMap<String, String> defaults() {
        SortedMap<String, String> defaults = new TreeMap<>();
        ConfigMappings.getProperties(MAPPING).forEach((key, property) -> {
            if (property.hasDefaultValue() && property.getDefaultValue() != null) {
                defaults.put(key, property.getDefaultValue());
            }
        });
        return defaults;
    }

    /**
     * @throws IllegalArgumentException naming the keys, for an unknown key or a bad value
     */
    public static Loaded load(Sources sources) {
        Map<String, String> file = sources.file().map(SettingsLoader::readFile).orElse(Map.of());
        requireKnownKeys(sources.defaults(), file, sources.flags());
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(sources.defaults(), "command defaults", 50))
                .withSources(new PropertiesConfigSource(file, "file " + sources.file().map(Path::toString).orElse(""), 100))
                .withSources(new EnvConfigSource(sources.environment(), 300))
                .withSources(new PropertiesConfigSource(sources.flags(), "command line", 400))
                .withConverter(Duration.class, 200, value -> emptyIsMissing(value, Durations::parse))
                .withConverter(ByteSize.class, 200, value -> emptyIsMissing(value, ByteSize::parse))
                .withConverter(Secret.class, 200, value -> emptyIsMissing(value, Secret::new))
                .withConverter(Boolean.class, 200, value -> emptyIsMissing(value, SettingsLoader::parseBoolean))
                .withMapping(MAPPING);
        SmallRyeConfig config;
        try {
            config = builder.build();
        } catch (ConfigValidationException e) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < e.getProblemCount(); i++) {
                problems.add(e.getProblem(i).getMessage().replaceAll("(java\\.lang\\.\\w+: )?SRCFG\\d+: ", "")
                        .replace(" threw an Exception whilst being converted ", ": "));
            }
            throw new IllegalArgumentException("invalid settings: " + String.join("; ", problems), e);
        }
        return new Loaded(config.getConfigMapping(TidemarkSettings.class), given(config));
    }

    private static void requireKnownKeys(Map<String, String> defaults, Map<String, String> file, Map<String, String> flags) {
        SortedSet<String> unknown = new TreeSet<>();
        SortedSet<String> known = keys();
        for (Map<String, String> source : List.of(defaults, file, flags)) {
            source.keySet().stream().filter(key -> !known.contains(key)).forEach(unknown::add);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown settings " + unknown + UNKNOWN_HINT);
        }
    }

    private static Map<String, String> given(SmallRyeConfig config) {
        Map<String, String> given = new TreeMap<>();
        for (String key : keys()) {
            ConfigValue value = config.getConfigValue(key);
            if (value.getValue() != null && value.getConfigSourceOrdinal() >= 50) {
                given.put(key, isSecret(key) ? "****" : value.getValue());
            }
        }
        return given;
    }

    static boolean isSecret(String key) {
        return key.endsWith("secret") || key.endsWith("password");
    }

    /** An empty value is no value (MicroProfile Config: a converter's {@code null}). */
    private static <T> T emptyIsMissing(String value, java.util.function.Function<String, T> parse) {
        return value == null || value.isBlank() ? null : parse.apply(value);
    }

    private static Boolean parseBoolean(String value) {
        String text = value.trim();
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("must be true or false, not '" + value + "'");
        }
        return Boolean.valueOf(text);
    }

    private static Map<String, String> readFile(Path file) {
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
}
