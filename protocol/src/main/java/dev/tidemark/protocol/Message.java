package dev.tidemark.protocol;

/**
 * A protocol v1 message. Every message is a JSON object whose {@code type} names one of these.
 * {@link MessageCodec} turns messages into JSON text and back.
 */
public sealed interface Message
        permits Hello, Welcome, Changes, SyncAck, LsnCommitted, SyncVerify, SyncVerifyResult, ErrorMessage,
        CaptureStatus, SourceAuditMessage {

    /** The protocol version this library speaks. */
    int PROTOCOL_VERSION = 1;

    /** The {@code type} on the wire. */
    String type();
}
