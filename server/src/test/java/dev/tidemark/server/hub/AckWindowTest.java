package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.ClientGrant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AckWindow and EntityFilter")
class AckWindowTest {

    @Test
    @DisplayName("classifies acks against what was sent; acks are cumulative")
    void cumulativeAcks() {
        AckWindow window = new AckWindow(Lsn.of(0x10));
        window.sent("20", Lsn.of(0x20));
        window.sent("30", Lsn.of(0x30));
        window.sent("40", Lsn.of(0x40));
        assertThat(window.check(Lsn.of(0x10))).isEqualTo(AckWindow.Check.NOT_NEWER);
        assertThat(window.check(Lsn.of(0x41))).isEqualTo(AckWindow.Check.BEYOND_SENT);
        assertThat(window.check(Lsn.of(0x25))).isEqualTo(AckWindow.Check.NOT_A_BATCH_END);
        assertThat(window.check(Lsn.of(0x30))).isEqualTo(AckWindow.Check.BATCH_END);
        window.acknowledge(Lsn.of(0x30));
        assertThat(window.unackedCount()).isEqualTo(1);
        assertThat(window.holds("40")).isTrue();
        assertThat(window.holds("20")).isFalse();
        assertThat(window.describe()).contains("0/40");
        window.rewind(Lsn.of(0x30));
        assertThat(window.unackedCount()).isZero();
        assertThat(window.sent()).isEqualTo(Lsn.of(0x30));
    }

    @Test
    @DisplayName("a filter is the grant intersected with the subscriptions, and may match nothing")
    void filters() {
        ClientGrant some = ClientGrant.of("c", Set.of("a", "b"));
        assertThat(EntityFilter.of(ClientGrant.anyone(), List.of()).all()).isTrue();
        assertThat(EntityFilter.of(some, List.of()).types()).containsExactlyInAnyOrder("a", "b");
        assertThat(EntityFilter.of(some, List.of("b", "c")).types()).containsExactly("b");
        EntityFilter none = EntityFilter.of(some, List.of("c"));
        assertThat(none.nothing()).isTrue();
        assertThat(none.matches("a")).isFalse();
        assertThat(EntityFilter.of(ClientGrant.allTypes("c"), List.of("z", "y")).key()).isEqualTo("y\u001Fz");
    }
}
