package dev.tidemark.benchmarks.store;

import java.util.UUID;

/** How entity ids are made: in insert order, or random as UUIDs are. */
enum KeyKind {
    SEQUENTIAL("sequential"),
    RANDOM_UUID("random UUID");

    final String label;

    KeyKind(String label) {
        this.label = label;
    }

    String id(long n) {
        return this == SEQUENTIAL ? String.format("%012d", n) : UUID.randomUUID().toString();
    }
}
