/** The server's meter registry binding. */
package dev.tidemark.server.metrics;
