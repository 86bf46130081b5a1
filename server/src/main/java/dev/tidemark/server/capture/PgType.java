package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

/**
 * How capture renders a PostgreSQL data type to JSON.
 *
 * @param kind the rendering
 * @param element for {@link Kind#ARRAY}, the element type; otherwise {@code null}
 * @param delimiter for {@link Kind#ARRAY}, the element delimiter of the text form ({@code ,} except for
 *     {@code box})
 */
record PgType(Kind kind, PgType element, char delimiter) {

    /** The JSON form of a type's values. */
    enum Kind {
        /** int2, int4, int8, oid: a JSON number. */
        INTEGER,
        /** numeric, float4, float8: an exact JSON number; NaN and ±Infinity as strings. */
        DECIMAL,
        /** boolean: {@code true} / {@code false}. */
        BOOLEAN,
        /** json, jsonb: the value embedded as JSON. */
        JSON,
        /** timestamp: ISO-8601 local date-time, {@code 2024-05-06T07:08:09.123456}. */
        TIMESTAMP,
        /** timestamptz: ISO-8601 instant in UTC, {@code 2024-05-06T07:08:09.123456Z}. */
        TIMESTAMPTZ,
        /** timetz: ISO-8601 time with offset, {@code 07:08:09+02:00}. */
        TIMETZ,
        /** bytea: PostgreSQL's hex form as a string, {@code \x0a0b}. */
        BYTEA,
        /** any array: a JSON array (nested for several dimensions) of the element's JSON. */
        ARRAY,
        /** everything else (text, varchar, uuid, date, time, interval, enums, ...): the text form as a string. */
        TEXT
    }

    static final PgType INTEGER = scalar(Kind.INTEGER);
    static final PgType DECIMAL = scalar(Kind.DECIMAL);
    static final PgType BOOLEAN = scalar(Kind.BOOLEAN);
    static final PgType JSON = scalar(Kind.JSON);
    static final PgType TIMESTAMP = scalar(Kind.TIMESTAMP);
    static final PgType TIMESTAMPTZ = scalar(Kind.TIMESTAMPTZ);
    static final PgType TIMETZ = scalar(Kind.TIMETZ);
    static final PgType BYTEA = scalar(Kind.BYTEA);
    static final PgType TEXT = scalar(Kind.TEXT);

    PgType {
        requireNonNull(kind, "kind is null");
        if ((kind == Kind.ARRAY) != (element != null)) {
            throw new IllegalArgumentException("an array type, and only an array type, has an element type");
        }
    }

    static PgType arrayOf(PgType element, char delimiter) {
        return new PgType(Kind.ARRAY, element, delimiter);
    }

    private static PgType scalar(Kind kind) {
        return new PgType(kind, null, ',');
    }
}
