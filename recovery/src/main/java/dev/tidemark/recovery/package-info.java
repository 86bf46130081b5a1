/**
 * Recovery: interrupted-sync detection, verification decisions, change-log checksums and resync
 * planning, shared by the client and the server. Depends only on {@code dev.tidemark.protocol}.
 */
package dev.tidemark.recovery;
