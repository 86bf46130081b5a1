package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.SerializedString;

/**
 * A relation prepared for rendering: its column types, JSON-escaped names and key columns.
 *
 * @param relation the relation
 * @param types the type of each column
 * @param names each column's name, ready for JSON
 * @param keyColumns indexes of the entity-id columns, in key order
 */
record RelationShape(Relation relation, PgType[] types, SerializedString[] names, int[] keyColumns) {

    RelationShape {
        requireNonNull(relation, "relation is null");
        if (keyColumns.length == 0) {
            throw new IllegalArgumentException("a relation shape needs key columns");
        }
    }

    String entityType() {
        return relation.entityType();
    }
}
