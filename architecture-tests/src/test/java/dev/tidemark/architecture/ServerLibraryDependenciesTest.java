package dev.tidemark.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The server library's POM brings no command line and no embedded PostgreSQL to a user who embeds it (the
 * binaries jar holds no classes, so ArchUnit alone cannot see it): those belong to the application, app.
 */
class ServerLibraryDependenciesTest {

    private static final List<String> APPLICATION_ONLY = List.of("info.picocli:", "io.zonky.");

    @Test
    @DisplayName("the server POM has picocli and embedded PostgreSQL at most in test scope")
    void serverPomHasNoApplicationDependencies() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("..", "server", "pom.xml").toFile()).getDocumentElement();
        Element dependencies = (Element) project.getElementsByTagName("dependencies").item(0);
        NodeList list = dependencies.getElementsByTagName("dependency");
        List<String> shipped = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            Element dependency = (Element) list.item(i);
            String coordinates = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
            if (!"test".equals(text(dependency, "scope"))) {
                shipped.add(coordinates);
            }
        }
        assertThat(shipped).as("dependencies the server library ships").isNotEmpty()
                .noneMatch(coordinates -> APPLICATION_ONLY.stream().anyMatch(coordinates::startsWith));
    }

    private static String text(Element element, String tag) {
        NodeList nodes = element.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }
}
