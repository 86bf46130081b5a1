package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden vectors under {@code src/test/resources/vectors} are the compatibility contract: every
 * file in {@code valid/} decodes and re-encodes to the same JSON; every file in {@code invalid/} is
 * rejected with the code {@code invalid/expected-errors.properties} names.
 */
class GoldenVectorTest {

    private final MessageCodec codec = new MessageCodec();

    static Stream<Path> validVectors() throws IOException, URISyntaxException {
        return list("valid");
    }

    static Stream<Path> invalidVectors() throws IOException, URISyntaxException {
        return list("invalid").filter(path -> !path.getFileName().toString().endsWith(".properties"));
    }

    private static Stream<Path> list(String folder) throws IOException, URISyntaxException {
        Path dir = Path.of(GoldenVectorTest.class.getResource("/vectors/" + folder).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.sorted().toList();
            return sorted.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("validVectors")
    void validVectorDecodesAndReEncodesToTheSameJson(Path vector) throws IOException {
        String text = Files.readString(vector, StandardCharsets.UTF_8);
        Message message = codec.decode(text);

        String encoded = codec.encode(message);

        JsonNode expected = Json.MAPPER.readTree(text);
        assertThat(Json.MAPPER.readTree(encoded)).isEqualTo(expected);
        assertThat(message.type()).isEqualTo(expected.get("type").textValue());
        assertThat(codec.decode(encoded)).isEqualTo(message);
        if (message instanceof Changes changes) {
            assertThat(changes.checksumMatches()).as("checksum in %s", vector.getFileName()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("invalidVectors")
    void invalidVectorIsRejectedWithItsCode(Path vector) throws IOException {
        String text = Files.readString(vector, StandardCharsets.UTF_8);
        String expected = expectedErrors().getProperty(vector.getFileName().toString());
        assertThat(expected).as("expected code for %s", vector.getFileName()).isNotNull();

        assertThatThrownBy(() -> codec.decode(text))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().wireName()).as(e.getMessage()).isEqualTo(expected));
    }

    @Test
    void everyExpectedErrorHasItsVector() throws IOException, URISyntaxException {
        List<String> files = invalidVectors().map(path -> path.getFileName().toString()).toList();
        assertThat(expectedErrors().stringPropertyNames()).containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void everyMessageTypeHasAValidVector() throws IOException, URISyntaxException {
        List<String> types = validVectors().map(path -> {
            try {
                return Json.MAPPER.readTree(path.toFile()).get("type").textValue();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).distinct().toList();
        assertThat(types).containsExactlyInAnyOrder(Hello.TYPE, Welcome.TYPE, Changes.TYPE, SyncAck.TYPE,
                LsnCommitted.TYPE, SyncVerify.TYPE, SyncVerifyResult.TYPE, ErrorMessage.TYPE);
    }

    private static Properties expectedErrors() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(
                Path.of("src/test/resources/vectors/invalid/expected-errors.properties"), StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return properties;
    }
}
