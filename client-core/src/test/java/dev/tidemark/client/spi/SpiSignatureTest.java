package dev.tidemark.client.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the storage SPI: every public type and member of {@code dev.tidemark.client.spi}, compared
 * with {@code src/test/resources/spi-signatures.txt}. Store plugins compile against this package, so
 * a change to it must be deliberate: when it is, update the file in the same commit
 * ({@code mvn -pl client-core -am test -Dtest=SpiSignatureTest -Dtidemark.spi.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false} rewrites it).
 */
class SpiSignatureTest {

    private static final String EXPECTED = "/spi-signatures.txt";

    @Test
    void theSpiChangesOnlyDeliberately() throws Exception {
        String actual = String.join("\n", signatures()) + "\n";
        if (Boolean.getBoolean("tidemark.spi.update")) {
            Files.writeString(Path.of("src/test/resources" + EXPECTED), actual, StandardCharsets.UTF_8);
        }
        String expected;
        try (var in = SpiSignatureTest.class.getResourceAsStream(EXPECTED)) {
            expected = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(actual)
                .as("the storage SPI changed; if that is deliberate, put these lines in client-core/src/test/resources"
                        + EXPECTED + " and say so in the change log")
                .isEqualTo(expected);
    }

    static List<String> signatures() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(SyncStore.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(SyncStore.class.getPackageName().replace('.', '/'));
        List<String> names;
        try (Stream<Path> files = Files.list(classes)) {
            names = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".class") && !name.contains("$") && !name.equals("package-info.class"))
                    .map(name -> name.substring(0, name.length() - ".class".length()))
                    .sorted()
                    .toList();
        }
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(SyncStore.class.getPackageName() + "." + name);
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            lines.add(type.toGenericString());
            List<String> members = new ArrayList<>();
            for (Field field : type.getDeclaredFields()) {
                add(members, field, field.toGenericString());
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                add(members, constructor, constructor.toGenericString());
            }
            for (Method method : type.getDeclaredMethods()) {
                if (!method.isSynthetic()) {
                    add(members, method, method.toGenericString());
                }
            }
            members.stream().sorted().forEach(member -> lines.add("    " + member));
        }
        return lines;
    }

    private static void add(List<String> members, Member member, String signature) {
        int modifiers = member.getModifiers();
        if (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)) {
            members.add(signature.replace("dev.tidemark.client.spi.", "").replace("dev.tidemark.protocol.", ""));
        }
    }
}
