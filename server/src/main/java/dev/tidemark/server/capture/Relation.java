package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A table as pgoutput describes it in a relation message: sent before the first change of the table
 * in a session and again after its schema changed.
 *
 * @param oid the table's OID, which later change messages refer to
 * @param namespace its schema
 * @param name its name
 * @param replicaIdentity {@code relreplident}: {@code d} default (primary key), {@code i} index,
 *     {@code f} full, {@code n} nothing
 * @param columns its columns in order (generated columns are not sent)
 */
record Relation(int oid, String namespace, String name, char replicaIdentity, List<Column> columns) {

    Relation {
        requireNonNull(namespace, "namespace is null");
        requireNonNull(name, "name is null");
        columns = List.copyOf(columns);
    }

    /**
     * One column.
     *
     * @param name its name
     * @param typeOid its data type
     * @param typeModifier its {@code atttypmod}
     * @param key whether pgoutput marks it as part of the replica identity
     */
    record Column(String name, int typeOid, int typeModifier, boolean key) {

        Column {
            requireNonNull(name, "name is null");
        }
    }

    /** The entity type of the table's changes: {@code table} in schema public, else {@code schema.table}. */
    String entityType() {
        return namespace.equals("public") ? name : namespace + "." + name;
    }

    /** The qualified name for messages: {@code schema.table}. */
    String qualifiedName() {
        return namespace + "." + name;
    }
}
