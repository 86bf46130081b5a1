package dev.tidemark.app.cli;

import dev.tidemark.app.config.SettingsLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The configuration options every server command shares: a file, environment variables, {@code --set}. */
public final class ConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "a properties file of tidemark.* settings (see docs/operations.md)")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "set one tidemark.* setting; wins over the file and the environment (TIDEMARK_HTTP_PORT sets"
                    + " tidemark.http.port)")
    Map<String, String> flags = new LinkedHashMap<>();

    /** The settings, bound and type-checked. */
    public SettingsLoader.Loaded load() {
        return SettingsLoader.load(new SettingsLoader.Sources(Map.of(), Optional.ofNullable(file), System.getenv(), flags));
    }

    /** Applies one more flag (for options such as {@code --port}). */
    public void put(String key, String value) {
        flags.put(key, value);
    }
}
