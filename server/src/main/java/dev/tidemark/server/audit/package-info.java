/**
 * Verify against the source: per-entity-type digests of the source rows at a consistent snapshot position
 * ({@link dev.tidemark.server.audit.SourceDigester}), narrowed to buckets and to entities, and the rows that
 * repair the divergent entities of a client. The definition of the digests is
 * {@link dev.tidemark.protocol.EntityDigest}; the client computes the same over its store.
 */
package dev.tidemark.server.audit;
