package dev.tidemark.protocol;

import java.util.List;

/**
 * {@code capture_status}, server → client: the client's entity types whose captured history is incomplete
 * changed since {@code welcome} (or the last {@code capture_status}). While the list is not empty, the
 * client's copy of those types is not the source's, and the client is not caught up.
 *
 * @param incompleteEntityTypes the client's entity types the server cannot capture correctly now; empty once
 *     every one of them is complete again
 */
public record CaptureStatus(List<String> incompleteEntityTypes) implements Message {

    public static final String TYPE = "capture_status";

    public CaptureStatus {
        incompleteEntityTypes = List.copyOf(Validation.required(incompleteEntityTypes, "incompleteEntityTypes"));
    }

    @Override
    public String type() {
        return TYPE;
    }
}
