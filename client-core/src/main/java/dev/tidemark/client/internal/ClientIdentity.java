package dev.tidemark.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.client.spi.SyncStore;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's id: the one its token names when it names one; else created once and kept in the
 * store's metadata (the seed's {@code sync_client_id}).
 */
public final class ClientIdentity {

    /** The metadata key the generated client id is kept under. */
    static final String METADATA_KEY = "tidemark.client_id";

    private static final Logger log = LoggerFactory.getLogger(ClientIdentity.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClientIdentity() {}

    /** The id kept in {@code store}, created and kept there on first use. */
    static String resolve(SyncStore store) {
        Optional<String> kept = store.metadata(METADATA_KEY);
        if (kept.isPresent()) {
            return kept.get();
        }
        String id = "c-" + UUID.randomUUID();
        store.putMetadata(METADATA_KEY, id);
        log.info("new client id '{}', kept in the store as {}", id, METADATA_KEY);
        return id;
    }

    /**
     * The client id a Tidemark token names: its payload ({@code base64url(JSON).signature}) holds
     * {@code "clientId"}. Read without checking the signature — the server checks it. Empty for a
     * token of another form.
     */
    public static Optional<String> fromToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String trimmed = token.trim();
        int dot = trimmed.indexOf('.');
        if (dot <= 0 || dot != trimmed.lastIndexOf('.') || trimmed.length() > 8192) {
            return Optional.empty();
        }
        try {
            JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(trimmed.substring(0, dot)));
            JsonNode clientId = payload == null ? null : payload.get("clientId");
            return clientId != null && clientId.isTextual() && !clientId.asText().isBlank()
                    ? Optional.of(clientId.asText()) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
