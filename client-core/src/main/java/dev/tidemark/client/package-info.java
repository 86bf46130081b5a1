/** The Tidemark client API: build a client, start it, watch it sync. */
package dev.tidemark.client;
