/** The client's transport and applier. Not API: store plugins must never use this package. */
package dev.tidemark.client.internal;
