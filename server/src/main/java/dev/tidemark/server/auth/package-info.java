/**
 * Access tokens of the sync endpoint: HMAC-SHA256-signed, carrying a client id, the entity types it may
 * read and an expiry. {@link dev.tidemark.server.auth.TokenSigner} mints and verifies them;
 * {@link dev.tidemark.server.auth.Authenticator} turns a presented token into a
 * {@link dev.tidemark.server.auth.ClientGrant}.
 */
package dev.tidemark.server.auth;
