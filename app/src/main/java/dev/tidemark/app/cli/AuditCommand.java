package dev.tidemark.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.app.config.Durations;
import dev.tidemark.app.config.Secret;
import dev.tidemark.app.config.TidemarkSettings;
import dev.tidemark.server.auth.TokenSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
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

/**
 * {@code tidemark audit --client ID}: asks the running server to verify a connected client against the source
 * (the admin endpoint {@code POST /admin/clients/{id}/verify-source}) and prints the result. The operator token
 * comes from {@code --token} or {@code TIDEMARK_OPERATOR_TOKEN}, else it is minted from the server's secret in
 * the configuration, as {@code tidemark token} does.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Verify a connected client against the source database: the server compares digests of the"
                + " source rows with the client's store at one log position and repairs exactly the entities that"
                + " differ.", ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the client's store agrees with the source",
            "1:the server could not be asked (not running, token refused, client not connected)",
            "2:bad options",
            "5:entities differed and were repaired",
            "6:the verify could not be completed (nothing was changed); the message says why"})
public final class AuditCommand implements Callable<Integer> {

    static final String OPERATOR_CLIENT_ID = "tidemark-operator";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--client", required = true, paramLabel = "CLIENT_ID", description = "the client to audit")
    String clientId;

    @Option(names = "--server", paramLabel = "URL",
            description = "the server's HTTP address (default: http://localhost:<tidemark.http.port>)")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:TIDEMARK_OPERATOR_TOKEN}",
            description = "an operator token (tidemark token --client-id " + OPERATOR_CLIENT_ID + "); env"
                    + " TIDEMARK_OPERATOR_TOKEN; default: minted from tidemark.auth.secret")
    String token;

    @Option(names = "--entity-types", split = ",", paramLabel = "TYPES",
            description = "the entity types to verify, comma-separated (default: every type the client receives)")
    List<String> entityTypes = List.of();

    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "how long to wait for the result (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TidemarkSettings settings = config.load().settings();
        Duration wait;
        try {
            wait = Durations.parse(timeout);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "bad --timeout '" + timeout + "': use 90s, 10m or 1h");
        }
        String base = server != null ? server.replaceAll("/+$", "")
                : "http://localhost:" + settings.http().port();
        String bearer = token;
        if (bearer == null || bearer.isBlank()) {
            String secret = settings.auth().secret().map(Secret::value).orElse(null);
            bearer = secret == null || secret.isBlank() ? null
                    : new TokenSigner(secret, Clock.systemUTC()).mint(OPERATOR_CLIENT_ID, Set.of("*"), Duration.ofMinutes(15));
        }
        String uri = base + "/admin/clients/" + URLEncoder.encode(clientId, StandardCharsets.UTF_8).replace("+", "%20")
                + "/verify-source" + (entityTypes.isEmpty() ? ""
                        : "?types=" + URLEncoder.encode(String.join(",", entityTypes), StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(wait)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        out.println("auditing client '" + clientId + "' against the source via " + base + " ...");
        out.flush();
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("tidemark audit: cannot reach the server at " + base + ": " + e.getMessage()
                    + " (is it running? pass --server)");
            return 1;
        }
        if (response.statusCode() != 200) {
            err.println("tidemark audit: the server answered " + response.statusCode() + ": " + response.body().trim());
            return 1;
        }
        JsonNode result = JSON.readTree(response.body());
        String status = result.path("status").asText();
        String lsn = result.path("lsn").asText();
        switch (status) {
            case "agree" -> {
                out.println("client '" + clientId + "' agrees with the source at " + lsn);
                return 0;
            }
            case "repaired" -> {
                int total = 0;
                for (JsonNode type : result.path("repaired")) {
                    total += type.path("entityIds").size();
                }
                out.println("client '" + clientId + "' differed from the source at " + lsn + "; repaired " + total
                        + " entities:");
                for (JsonNode type : result.path("repaired")) {
                    List<String> ids = JSON.convertValue(type.path("entityIds"),
                            JSON.getTypeFactory().constructCollectionType(List.class, String.class));
                    out.println("  " + type.path("entityType").asText() + ": " + (ids.size() <= 20 ? String.join(", ", ids)
                            : String.join(", ", ids.subList(0, 20)) + " and " + (ids.size() - 20) + " more"));
                }
                return 5;
            }
            default -> {
                out.println("the audit of client '" + clientId + "' failed: " + result.path("message").asText());
                return 6;
            }
        }
    }
}
