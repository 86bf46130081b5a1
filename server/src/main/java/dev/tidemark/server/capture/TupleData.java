package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

/**
 * The columns of one row as pgoutput sends them: per column a kind ({@link #NULL}, {@link #UNCHANGED}
 * TOASTed value not sent, or {@link #TEXT}) and, for text, the value in PostgreSQL's text output form.
 *
 * @param kinds one kind per column
 * @param values one value per column; {@code null} unless the kind is {@link #TEXT}
 */
record TupleData(byte[] kinds, String[] values) {

    static final byte NULL = 'n';
    static final byte UNCHANGED = 'u';
    static final byte TEXT = 't';

    TupleData {
        requireNonNull(kinds, "kinds is null");
        requireNonNull(values, "values is null");
        if (kinds.length != values.length) {
            throw new IllegalArgumentException("kinds and values differ in length");
        }
    }

    int size() {
        return kinds.length;
    }

    byte kind(int column) {
        return kinds[column];
    }

    String value(int column) {
        return values[column];
    }
}
