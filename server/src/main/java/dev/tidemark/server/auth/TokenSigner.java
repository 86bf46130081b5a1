package dev.tidemark.server.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints and verifies the server's access tokens.
 *
 * <p>A token is {@code base64url(payload) + "." + base64url(HMAC-SHA256(secret, base64url(payload)))}
 * without padding, where the payload is the JSON object
 * {@code {"clientId":"...","entityTypes":["orders","*"...],"exp":<epoch seconds>}}. Signatures are
 * compared in constant time. Thread-safe.
 */
public final class TokenSigner {

    /** Longest token accepted; longer input is refused before any decoding. */
    public static final int MAX_TOKEN_LENGTH = 8192;

    private static final String ALGORITHM = "HmacSHA256";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final Clock clock;

    /**
     * @param secret the HMAC key text, at least {@value AuthConfig#MIN_SECRET_BYTES} bytes in UTF-8
     */
    public TokenSigner(String secret, Clock clock) {
        this.key = new SecretKeySpec(AuthConfig.withSecret(requireNonNull(secret, "secret is null")).secretBytes(),
                ALGORITHM);
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Mints a token for {@code clientId} reading {@code entityTypes} ({@code "*"} for all), valid for {@code ttl}. */
    public String mint(String clientId, Set<String> entityTypes, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a token's lifetime must be positive, got " + ttl);
        }
        Instant expiresAt = clock.instant().plus(ttl).plusMillis(999).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return mint(new AccessToken(clientId, entityTypes, expiresAt));
    }

    /** Mints a token carrying exactly {@code token}. */
    public String mint(AccessToken token) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("clientId", token.clientId());
        ArrayNode types = payload.putArray("entityTypes");
        token.entityTypes().stream().sorted().forEach(types::add);
        payload.put("exp", token.expiresAt().getEpochSecond());
        String encodedPayload;
        try {
            encodedPayload = ENCODER.encodeToString(JSON.writeValueAsBytes(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a token payload", e);
        }
        return encodedPayload + "." + ENCODER.encodeToString(sign(encodedPayload));
    }

    /**
     * Verifies a token and returns what it grants.
     *
     * @throws TokenException when the token is malformed, wrongly signed or expired
     */
    public AccessToken verify(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(TokenException.Reason.MISSING, "no token given");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token is not two base64url parts joined by '.'");
        }
        String encodedPayload = token.substring(0, dot);
        byte[] signature = decode(token.substring(dot + 1));
        if (!MessageDigest.isEqual(sign(encodedPayload), signature)) {
            throw new TokenException(TokenException.Reason.BAD_SIGNATURE,
                    "token signature does not match: it was altered or signed with another secret");
        }
        AccessToken access = parsePayload(decode(encodedPayload));
        if (!clock.instant().isBefore(access.expiresAt())) {
            throw new TokenException(TokenException.Reason.EXPIRED, "token of client '" + access.clientId()
                    + "' expired at " + access.expiresAt() + ": mint a new one");
        }
        return access;
    }

    private static AccessToken parsePayload(byte[] json) throws TokenException {
        try {
            JsonNode payload = JSON.readTree(json);
            JsonNode clientId = payload == null ? null : payload.get("clientId");
            JsonNode types = payload == null ? null : payload.get("entityTypes");
            JsonNode exp = payload == null ? null : payload.get("exp");
            if (clientId == null || !clientId.isTextual() || types == null || !types.isArray()
                    || exp == null || !exp.isIntegralNumber() || !exp.canConvertToLong()) {
                throw malformedPayload();
            }
            Set<String> entityTypes = new LinkedHashSet<>();
            for (JsonNode type : types) {
                if (!type.isTextual()) {
                    throw malformedPayload();
                }
                entityTypes.add(type.textValue());
            }
            return new AccessToken(clientId.textValue(), entityTypes, Instant.ofEpochSecond(exp.longValue()));
        } catch (java.io.IOException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token payload is not valid: " + e.getMessage());
        }
    }

    private static TokenException malformedPayload() {
        return new TokenException(TokenException.Reason.MALFORMED,
                "token payload must be {\"clientId\": text, \"entityTypes\": [text], \"exp\": epoch seconds}");
    }

    private static byte[] decode(String part) throws TokenException {
        try {
            return DECODER.decode(part);
        } catch (IllegalArgumentException e) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token is not base64url");
        }
    }

    private byte[] sign(String encodedPayload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(encodedPayload.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }
}
