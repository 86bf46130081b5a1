package dev.tidemark.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The lifecycle")
class LifecycleTest {

    private final List<String> events = new ArrayList<>();

    private Lifecycle.Step step(String name) {
        return new Lifecycle.Step(name, () -> events.add("start " + name), () -> events.add("stop " + name));
    }

    @Test
    @DisplayName("starts in the declared order and stops in reverse")
    void ordered() {
        Lifecycle lifecycle = new Lifecycle(List.of(step("a"), step("b"), step("c")), Lifecycle.Listener.NONE);
        lifecycle.start();
        lifecycle.stop();
        lifecycle.stop();
        assertThat(events).containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
    }

    @Test
    @DisplayName("stops what started when a step fails to start, and stops the rest when one fails to stop")
    void failures() {
        Lifecycle.Step broken = new Lifecycle.Step("broken", () -> {
            throw new IllegalStateException("no");
        }, () -> events.add("stop broken"));
        Lifecycle.Step badStop = new Lifecycle.Step("b", () -> events.add("start b"), () -> {
            throw new IllegalStateException("cannot stop");
        });
        Lifecycle lifecycle = new Lifecycle(List.of(step("a"), badStop, broken, step("d")), Lifecycle.Listener.NONE);
        assertThatThrownBy(lifecycle::start).hasMessage("no");
        assertThat(events).containsExactly("start a", "start b", "stop a");
    }
}
