package dev.tidemark.app.config;

import static java.util.Objects.requireNonNull;

/**
 * A password or key from the settings; {@link #toString()} masks it, so no log line shows it.
 *
 * @param value the secret itself
 */
public record Secret(String value) {

    public Secret {
        requireNonNull(value, "value is null");
    }

    @Override
    public String toString() {
        return "****";
    }
}
