package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A store's settings, checked: a helper for {@link SyncStoreProvider#open} that rejects unknown keys
 * and bad values with messages naming the store, the key and what is allowed. Every failure is a
 * {@link SyncStoreException} with {@link StoreErrorCode#INVALID_CONFIG}.
 *
 * <pre>{@code
 * StoreSettings settings = StoreSettings.of("sqlite", config, Set.of("path", "durability"));
 * Path path = Path.of(settings.required("path"));
 * Durability durability = settings.choice("durability", Durability.class, Durability.FULL);
 * }</pre>
 *
 * @param storeName the store's name, for messages
 * @param values the settings as given
 */
public record StoreSettings(String storeName, Map<String, String> values) {

    public StoreSettings {
        requireNonNull(storeName, "storeName is null");
        requireNonNull(values, "values is null");
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new SyncStoreException(StoreErrorCode.INVALID_CONFIG,
                        "store '" + storeName + "': setting '" + entry.getKey() + "' has no value");
            }
        }
        values = Map.copyOf(values);
    }

    /**
     * Checked settings for store {@code storeName}.
     *
     * @throws SyncStoreException naming every key of {@code config} not in {@code knownKeys}
     */
    public static StoreSettings of(String storeName, Map<String, String> config, Set<String> knownKeys) {
        requireNonNull(config, "config is null");
        StoreSettings settings = new StoreSettings(storeName, config);
        List<String> unknown = new ArrayList<>(new TreeSet<>(config.keySet()));
        unknown.removeAll(knownKeys);
        if (!unknown.isEmpty()) {
            throw settings.invalid("unknown setting" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; known settings: " + String.join(", ", new TreeSet<>(knownKeys)));
        }
        return settings;
    }

    /**
     * Settings checked against a provider's declarations ({@link SyncStoreProvider#settings()}): every
     * key declared, every required one present, every value of its type.
     *
     * @throws SyncStoreException {@link StoreErrorCode#INVALID_CONFIG} naming every problem at once
     */
    public static StoreSettings declared(String storeName, Map<String, String> config, List<StoreSetting> declared) {
        requireNonNull(declared, "declared is null");
        StoreSettings settings = of(storeName, config,
                declared.stream().map(StoreSetting::name).collect(Collectors.toSet()));
        List<String> problems = new ArrayList<>();
        for (StoreSetting setting : declared) {
            String value = settings.values().get(setting.name());
            if (value == null) {
                if (setting.required()) {
                    problems.add("setting '" + setting.name() + "' is required");
                }
                continue;
            }
            setting.problemWith(value).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw settings.invalid(String.join("; ", problems));
        }
        return settings;
    }

    /** The value of {@code key}, which must be present and not blank. */
    public String required(String key) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw invalid("setting '" + key + "' is required");
        }
        return value;
    }

    /** The value of {@code key}, if present. */
    public Optional<String> optional(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code key}, or {@code defaultValue}. */
    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** The integer value of {@code key} within [{@code min}, {@code max}], or {@code defaultValue}. */
    public int intValue(String key, int defaultValue, int min, int max) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid("setting '" + key + "' is '" + text + "'; expected a whole number from " + min + " to " + max);
    }

    /**
     * The constant of {@code type} whose lower-case name is the value of {@code key} (any case), or
     * {@code defaultValue}.
     */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text.trim())) {
                return constant;
            }
        }
        throw invalid("setting '" + key + "' is '" + text + "'; expected one of "
                + Arrays.stream(type.getEnumConstants())
                        .map(constant -> constant.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
    }

    /** An {@link StoreErrorCode#INVALID_CONFIG} exception about this store. */
    public SyncStoreException invalid(String problem) {
        return new SyncStoreException(StoreErrorCode.INVALID_CONFIG, "store '" + storeName + "': " + problem);
    }

    /** The keys only, so that passwords never reach a log line. */
    @Override
    public String toString() {
        return "StoreSettings[" + storeName + ", keys=" + new TreeSet<>(values.keySet()) + "]";
    }
}
