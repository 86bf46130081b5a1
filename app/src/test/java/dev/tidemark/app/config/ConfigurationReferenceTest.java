package dev.tidemark.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The configuration reference in docs/operations.md lists exactly the keys the server reads. */
class ConfigurationReferenceTest {

    private static final Pattern ROW_KEY = Pattern.compile("^\\| `(tidemark\\.[a-z0-9.-]+)` \\|", Pattern.MULTILINE);

    private static final Pattern ROW_DEFAULT = Pattern.compile("^\\| `(tidemark\\.[a-z0-9.-]+)` \\| ([^|]*) \\|",
            Pattern.MULTILINE);

    @Test
    void documentedDefaultsAreTheDefaultsTheServerUses() throws IOException {
        String operations = Files.readString(Path.of("..", "docs", "operations.md"), StandardCharsets.UTF_8);
        int start = operations.indexOf("## Configuration reference");
        int end = operations.indexOf("\n## ", start + 1);
        Matcher rows = ROW_DEFAULT.matcher(operations.substring(start, end < 0 ? operations.length() : end));
        Map<String, String> documented = new TreeMap<>();
        while (rows.find()) {
            documented.put(rows.group(1), rows.group(2).trim());
        }
        SettingsLoader.defaults().forEach((key, value) -> assertThat(documented.get(key))
                .as("the documented default of %s", key).startsWith("`" + value + "`"));
    }

    @Test
    void documentedKeysAreTheKeysTheServerReads() throws IOException {
        String operations = Files.readString(Path.of("..", "docs", "operations.md"), StandardCharsets.UTF_8);
        int start = operations.indexOf("## Configuration reference");
        int end = operations.indexOf("\n## ", start + 1);
        assertThat(start).as("docs/operations.md has a configuration reference").isNotNegative();
        Matcher rows = ROW_KEY.matcher(operations.substring(start, end < 0 ? operations.length() : end));
        Set<String> documented = new TreeSet<>();
        while (rows.find()) {
            documented.add(rows.group(1));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(SettingsLoader.keys());
    }
}
