/**
 * The server's change-log SPI: {@code ChangeLogProvider} and {@code ChangeLog}, found with
 * {@code ServiceLoader}. Capture and hub reach the change log only through this package.
 */
package dev.tidemark.server.spi;
