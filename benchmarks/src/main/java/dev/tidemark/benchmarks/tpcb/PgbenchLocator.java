package dev.tidemark.benchmarks.tpcb;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the {@code pgbench} program: the path given ({@code --pgbench}), else {@value #ENVIRONMENT}, else
 * {@code pgbench} on the {@code PATH}, else the newest {@code /usr/lib/postgresql/<version>/bin/pgbench} (Debian's
 * packages install it there without putting it on the {@code PATH}). A path that is given but is not an executable
 * file is an error, not a reason to look elsewhere.
 */
public final class PgbenchLocator {

    /** The environment variable naming the pgbench program. */
    public static final String ENVIRONMENT = "TIDEMARK_PGBENCH";

    private final Map<String, String> environment;
    private final Path packagedVersions;

    /**
     * @param environment the environment to read {@value #ENVIRONMENT} and {@code PATH} from
     * @param packagedVersions the directory of per-version installations ({@code /usr/lib/postgresql})
     */
    public PgbenchLocator(Map<String, String> environment, Path packagedVersions) {
        this.environment = environment;
        this.packagedVersions = packagedVersions;
    }

    /** Looks in this process's environment and in {@code /usr/lib/postgresql}. */
    public static PgbenchLocator ofSystem() {
        return new PgbenchLocator(System.getenv(), Path.of("/usr/lib/postgresql"));
    }

    /**
     * @param given the path of {@code --pgbench}, or null
     * @return the pgbench program, or empty when there is none
     * @throws IllegalArgumentException when {@code given} or {@value #ENVIRONMENT} names no executable file
     */
    public Optional<Path> find(Path given) {
        if (given != null) {
            return Optional.of(executable(given, "--pgbench"));
        }
        String named = environment.getOrDefault(ENVIRONMENT, "").strip();
        if (!named.isEmpty()) {
            return Optional.of(executable(Path.of(named), ENVIRONMENT));
        }
        for (String directory : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!directory.isEmpty() && isExecutable(Path.of(directory, "pgbench"))) {
                return Optional.of(Path.of(directory, "pgbench"));
            }
        }
        return packaged();
    }

    private Optional<Path> packaged() {
        if (!Files.isDirectory(packagedVersions)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(packagedVersions)) {
            return versions.map(version -> version.resolve("bin").resolve("pgbench"))
                    .filter(PgbenchLocator::isExecutable)
                    .max(Comparator.comparing(PgbenchLocator::version));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + packagedVersions, e);
        }
    }

    /** {@code /usr/lib/postgresql/15/bin/pgbench} → 15; a directory that is not a number sorts first. */
    private static double version(Path pgbench) {
        try {
            return Double.parseDouble(pgbench.getParent().getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Path executable(Path path, String source) {
        if (!isExecutable(path)) {
            throw new IllegalArgumentException(source + " names " + path + ", which is not an executable file");
        }
        return path;
    }

    private static boolean isExecutable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
