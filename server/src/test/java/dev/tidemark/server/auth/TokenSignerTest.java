package dev.tidemark.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tokens")
class TokenSignerTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private final Clock now = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final TokenSigner signer = new TokenSigner(SECRET, now);

    @Test
    @DisplayName("a minted token verifies to its client id, entity types and expiry")
    void roundTrip() throws Exception {
        String token = signer.mint("c1", Set.of("orders", "customers"), Duration.ofMinutes(5));
        AccessToken access = signer.verify(token);
        assertThat(access.clientId()).isEqualTo("c1");
        assertThat(access.entityTypes()).containsExactlyInAnyOrder("orders", "customers");
        assertThat(access.expiresAt()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(access.grant()).isEqualTo(ClientGrant.of("c1", Set.of("orders", "customers")));
        assertThat(signer.verify(signer.mint("c2", Set.of("*"), Duration.ofMinutes(1))).grant().allTypes()).isTrue();
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
        assertThat(payload).isEqualTo("{\"clientId\":\"c1\",\"entityTypes\":[\"customers\",\"orders\"],\"exp\":1767225900}");
    }

    @Test
    @DisplayName("altered, foreign, expired and malformed tokens are refused with their reason")
    void refusals() {
        String token = signer.mint("c1", Set.of("*"), Duration.ofMinutes(5));
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"clientId\":\"admin\",\"entityTypes\":[\"*\"],\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8))
                + token.substring(token.indexOf('.'));
        assertReason(forged, TokenException.Reason.BAD_SIGNATURE);
        assertReason(new TokenSigner(SECRET + "x", now).mint("c1", Set.of("*"), Duration.ofMinutes(5)),
                TokenException.Reason.BAD_SIGNATURE);
        assertReason(new TokenSigner(SECRET, Clock.offset(now, Duration.ofHours(-1))).mint("c1", Set.of("*"),
                Duration.ofMinutes(5)), TokenException.Reason.EXPIRED);
        assertReason(null, TokenException.Reason.MISSING);
        assertReason("abc", TokenException.Reason.MALFORMED);
        assertReason("a.b.c", TokenException.Reason.MALFORMED);
        assertReason("!!!.???", TokenException.Reason.MALFORMED);
        assertThatThrownBy(() -> signer.verify(forged)).hasMessageNotContaining(SECRET);
    }

    private void assertReason(String token, TokenException.Reason reason) {
        assertThatThrownBy(() -> signer.verify(token)).isInstanceOfSatisfying(TokenException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    @DisplayName("a short secret is refused; auth on without a secret is refused; toString hides the secret")
    void config() throws Exception {
        assertThatThrownBy(() -> AuthConfig.withSecret("short")).hasMessageContaining("at least 32");
        assertThatThrownBy(() -> new AuthConfig(true, null)).hasMessageContaining("disable auth");
        assertThat(AuthConfig.withSecret(SECRET).toString()).doesNotContain(SECRET).contains("***");
        assertThat(new Authenticator(AuthConfig.disabled(), now).authenticate(null)).isEqualTo(ClientGrant.anyone());
        assertThatThrownBy(() -> new Authenticator(AuthConfig.withSecret(SECRET), now).authenticate(null))
                .isInstanceOf(TokenException.class);
    }
}
