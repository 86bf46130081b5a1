package dev.tidemark.benchmarks.tpcb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@link PgbenchLocator} looks, in its order. */
class PgbenchLocatorTest {

    @TempDir
    Path directory;

    @Test
    void theGivenPathWinsThenTheEnvironmentThenThePathThenTheNewestPackagedVersion() throws IOException {
        Path given = program("given/pgbench");
        Path named = program("named/pgbench");
        Path onPath = program("bin2/pgbench");
        Files.createDirectories(directory.resolve("bin1"));
        program("postgresql/9.6/bin/pgbench");
        Path newest = program("postgresql/15/bin/pgbench");
        program("postgresql/13/bin/pgbench");
        String path = directory.resolve("bin1") + File.pathSeparator + directory.resolve("bin2");
        Path packaged = directory.resolve("postgresql");

        assertThat(new PgbenchLocator(Map.of(PgbenchLocator.ENVIRONMENT, named.toString(), "PATH", path), packaged)
                .find(given)).contains(given);
        assertThat(new PgbenchLocator(Map.of(PgbenchLocator.ENVIRONMENT, named.toString(), "PATH", path), packaged)
                .find(null)).contains(named);
        assertThat(new PgbenchLocator(Map.of("PATH", path), packaged).find(null)).contains(onPath);
        assertThat(new PgbenchLocator(Map.of("PATH", directory.resolve("bin1").toString()), packaged).find(null))
                .contains(newest);
        assertThat(new PgbenchLocator(Map.of(), directory.resolve("none")).find(null)).isEmpty();
    }

    @Test
    void aGivenPathThatIsNoProgramIsAnError() throws IOException {
        Path notExecutable = Files.createFile(directory.resolve("pgbench"));
        PgbenchLocator locator = new PgbenchLocator(Map.of(PgbenchLocator.ENVIRONMENT,
                directory.resolve("missing").toString()), directory);

        assertThatThrownBy(() -> locator.find(notExecutable)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--pgbench names " + notExecutable + ", which is not an executable file");
        assertThatThrownBy(() -> locator.find(null)).hasMessageContaining(PgbenchLocator.ENVIRONMENT + " names");
    }

    private Path program(String name) throws IOException {
        Path file = directory.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
