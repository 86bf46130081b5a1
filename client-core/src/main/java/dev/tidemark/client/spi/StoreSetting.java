package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One setting a store takes, declared by {@link SyncStoreProvider#settings()}: the one place its name,
 * type, default and secrecy are written down. {@link SyncStores#open} checks given settings against
 * the declarations (unknown keys, missing required ones, values of the wrong type) before the
 * provider sees them, and help texts list them from here.
 *
 * <pre>{@code
 * List.of(StoreSetting.required("path", StoreSetting.Type.PATH, "the database file"),
 *         StoreSetting.optional("durability", StoreSetting.Type.CHOICE, "full", "full or normal")
 *                 .withChoices("full", "normal"),
 *         StoreSetting.optional("password", StoreSetting.Type.STRING, null, "the password").asSecret());
 * }</pre>
 *
 * @param name the key, as given in settings
 * @param type what values look like
 * @param defaultValue the value when the setting is absent; null when there is none
 * @param required whether the setting must be given
 * @param secret whether the value must never be shown (help, logs, {@code toString})
 * @param choices the allowed values of a {@link Type#CHOICE}, lower case; empty otherwise
 * @param description one line for help texts
 */
public record StoreSetting(String name, Type type, String defaultValue, boolean required, boolean secret,
        List<String> choices, String description) {

    /** What a setting's values look like. */
    public enum Type {
        /** Any text. */
        STRING,
        /** A whole number ({@code int}). */
        INTEGER,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A file-system path. */
        PATH,
        /** One of {@link StoreSetting#choices()}, any case. */
        CHOICE
    }

    public StoreSetting {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(choices, "choices is null");
        requireNonNull(description, "description is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a setting's name is blank");
        }
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("setting '" + name + "' is required and has a default");
        }
        choices = choices.stream().map(choice -> choice.toLowerCase(Locale.ROOT)).toList();
    }

    /** A setting that must be given. */
    public static StoreSetting required(String name, Type type, String description) {
        return new StoreSetting(name, type, null, true, false, List.of(), description);
    }

    /** A setting that may be left out; {@code defaultValue} (may be null) then applies. */
    public static StoreSetting optional(String name, Type type, String defaultValue, String description) {
        return new StoreSetting(name, type, defaultValue, false, false, List.of(), description);
    }

    /** This setting, its value never shown. */
    public StoreSetting asSecret() {
        return new StoreSetting(name, type, defaultValue, required, true, choices, description);
    }

    /** This setting, a {@link Type#CHOICE} among {@code allowed}. */
    public StoreSetting withChoices(String... allowed) {
        return new StoreSetting(name, Type.CHOICE, defaultValue, required, secret, List.of(allowed), description);
    }

    /** The default, if any. */
    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultValue);
    }

    /**
     * The problem with {@code value} for this setting, or empty when it is fine.
     */
    Optional<String> problemWith(String value) {
        String shown = secret ? "(secret)" : "'" + value + "'";
        String trimmed = value.trim();
        switch (type) {
            case INTEGER:
                try {
                    Integer.parseInt(trimmed);
                    return Optional.empty();
                } catch (NumberFormatException e) {
                    return Optional.of("setting '" + name + "' is " + shown + "; expected a whole number");
                }
            case BOOLEAN:
                return trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false") ? Optional.empty()
                        : Optional.of("setting '" + name + "' is " + shown + "; expected true or false");
            case CHOICE:
                return choices.contains(trimmed.toLowerCase(Locale.ROOT)) ? Optional.empty()
                        : Optional.of("setting '" + name + "' is " + shown + "; expected one of " + String.join(", ", choices));
            case PATH:
            case STRING:
            default:
                return required && value.isBlank()
                        ? Optional.of("setting '" + name + "' is required") : Optional.empty();
        }
    }

    /** One line for a help text: name, type, default or "required", "secret", and the description. */
    public String helpLine() {
        String kind = type == Type.CHOICE ? String.join("|", choices) : type.name().toLowerCase(Locale.ROOT);
        String presence = required ? "required" : defaultValue == null ? "optional" : "default " + defaultValue;
        return name + " (" + kind + ", " + presence + (secret ? ", secret" : "") + "): " + description;
    }
}
