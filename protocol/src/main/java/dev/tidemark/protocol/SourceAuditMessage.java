package dev.tidemark.protocol;

/**
 * The messages of verify-against-the-source (protocol.md, "Verify against the source"): a client asks
 * ({@link SourceVerify}), the server sends the source's digests at a log position ({@link SourceDigest}), the
 * client names the buckets that differ ({@link SourceDiff}), the server narrows them to entities
 * ({@link SourceNarrow} / {@link SourceEntries}), repairs them with one {@code changes} batch and answers
 * ({@link SourceVerifyResult}).
 */
public sealed interface SourceAuditMessage extends Message
        permits SourceVerify, SourceDigest, SourceDiff, SourceNarrow, SourceEntries, SourceVerifyResult {
}
