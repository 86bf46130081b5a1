package dev.tidemark.app.cli;

import dev.tidemark.app.config.Durations;
import dev.tidemark.app.config.Secret;
import dev.tidemark.server.auth.TokenSigner;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tidemark token}: mints a client token signed with the server's secret. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Mint a token for one client: it may sync as CLIENT_ID and read the given entity types.")
public final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--client-id", required = true, paramLabel = "CLIENT_ID", description = "the client's id")
    String clientId;

    @Option(names = "--entity-types", split = ",", paramLabel = "TYPES",
            description = "entity types the client may read, comma-separated; * (the default) for all")
    List<String> entityTypes = List.of("*");

    @Option(names = "--ttl", defaultValue = "30d", paramLabel = "DURATION",
            description = "how long the token is valid: 90m, 12h, 30d, PT12H (default ${DEFAULT-VALUE})")
    String ttl;

    @Override
    public Integer call() {
        String secret = config.load().settings().auth().secret().map(Secret::value).orElse(null);
        if (secret == null || secret.isBlank()) {
            throw new ParameterException(spec.commandLine(), "no secret: set tidemark.auth.secret (in the config file,"
                    + " TIDEMARK_AUTH_SECRET or --set) to the secret the server runs with; for the running demo: -c"
                    + " .tidemark/demo/tidemark.properties");
        }
        Set<String> types = new LinkedHashSet<>(entityTypes);
        String token = new TokenSigner(secret, Clock.systemUTC()).mint(clientId, types, parseTtl(ttl));
        spec.commandLine().getOut().println(token);
        return 0;
    }

    private Duration parseTtl(String text) {
        try {
            return Durations.parse(text);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "bad --ttl '" + text + "': use 90m, 12h or 30d");
        }
    }
}
