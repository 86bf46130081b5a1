package dev.tidemark.server.oracle;

import java.util.List;
import java.util.function.Function;

/** The oracle's source tables: every column type the capture renders, keyed three ways. */
final class Schema {

    /**
     * One column.
     *
     * @param generated a stored generated column (never written)
     * @param toast stored out of line ({@code SET STORAGE EXTERNAL}), large values
     */
    record Column(String name, String type, Rule rule, Rule element, Function<Values, String> values,
                  boolean generated, boolean toast) {

        static Column of(String name, String type, Rule rule, Function<Values, String> values) {
            return new Column(name, type, rule, null, values, false, false);
        }

        static Column array(String name, String type, Rule element, Function<Values, String> elements) {
            return new Column(name, type, Rule.ARRAY_OF, element, v -> v.array(elements, type), false, false);
        }
    }

    /** A table; its key columns come first. */
    record Table(String name, List<Column> columns, int keyColumns) {

        List<Column> key() {
            return columns.subList(0, keyColumns);
        }

        List<Column> writable() {
            return columns.stream().filter(c -> !c.generated()).toList();
        }

        List<Column> writableValues() {
            return columns.subList(keyColumns, columns.size()).stream().filter(c -> !c.generated()).toList();
        }
    }

    static final List<String> SETUP = List.of(
            "CREATE TYPE mood AS ENUM ('sad', 'happy', 'so-so \"quoted\"', 'ünïcödé, {braced}', 'NULL')",
            "CREATE DOMAIN positive AS integer CHECK (VALUE > 0)",
            "CREATE DOMAIN short_text AS varchar(30)",
            "CREATE DOMAIN money2 AS numeric(12,2)");

    static final Table ALL_TYPES = new Table("all_types", List.of(
            Column.of("id", "bigint", Rule.INTEGER, null),
            Column.of("i2", "smallint", Rule.INTEGER, Values::smallint),
            Column.of("i4", "integer", Rule.INTEGER, Values::integer),
            Column.of("i8", "bigint", Rule.INTEGER, Values::bigint),
            Column.of("n", "numeric(30,10)", Rule.NUMERIC, Values::numericScaled),
            Column.of("nu", "numeric", Rule.NUMERIC, Values::numeric),
            Column.of("f4", "real", Rule.FLOAT, Values::real),
            Column.of("f8", "double precision", Rule.FLOAT, Values::doublePrecision),
            Column.of("b", "boolean", Rule.BOOLEAN, Values::bool),
            Column.of("t", "text", Rule.STRING, v -> Values.quote(v.text(20))),
            Column.of("vc", "varchar(12)", Rule.STRING, v -> "left(" + Values.quote(v.text(6)) + ", 12)"),
            Column.of("ch", "char(5)", Rule.STRING, v -> "left(" + Values.quote(v.text(3)) + ", 5)"),
            Column.of("by", "bytea", Rule.STRING, v -> v.bytea(40)),
            Column.of("d", "date", Rule.STRING, Values::date),
            Column.of("tm", "time", Rule.STRING, Values::time),
            Column.of("ttz", "timetz", Rule.TIMETZ, Values::timetz),
            Column.of("ts", "timestamp", Rule.TIMESTAMP, Values::timestamp),
            Column.of("tstz", "timestamptz", Rule.TIMESTAMPTZ, Values::timestamptz),
            Column.of("iv", "interval", Rule.STRING, Values::interval),
            Column.of("u", "uuid", Rule.STRING, Values::uuid),
            Column.of("j", "json", Rule.JSON, Values::json),
            Column.of("jb", "jsonb", Rule.JSON, Values::jsonb),
            Column.of("ip", "inet", Rule.STRING, v -> v.pick(java.util.List.of("'10.1.2.3/8'::inet",
                    "'::ffff:1.2.3.4'::inet", "'2001:db8::1'::inet"))),
            Column.of("m", "mood", Rule.STRING, Schema::mood),
            Column.of("pos", "positive", Rule.INTEGER, v -> Integer.toString(1 + v.random().nextInt(Integer.MAX_VALUE))),
            Column.of("st", "short_text", Rule.STRING, v -> "left(" + Values.quote(v.text(10)) + ", 30)"),
            Column.of("mn", "money2", Rule.NUMERIC, v -> (v.random().nextInt(2_000_000) - 1_000_000) + "."
                    + v.random().nextInt(10)),
            Column.array("ai", "integer[]", Rule.INTEGER, Values::integer),
            Column.array("ai8", "bigint[]", Rule.INTEGER, Values::bigint),
            Column.array("at", "text[]", Rule.STRING, v -> Values.quote(v.text(6))),
            Column.array("an", "numeric[]", Rule.NUMERIC, Values::numeric),
            Column.array("af", "float8[]", Rule.FLOAT, Values::doublePrecision),
            Column.array("af4", "real[]", Rule.FLOAT, Values::real),
            Column.array("ab", "boolean[]", Rule.BOOLEAN, Values::bool),
            Column.array("aby", "bytea[]", Rule.STRING, v -> v.bytea(6)),
            Column.array("ad", "date[]", Rule.STRING, Values::date),
            Column.array("ats", "timestamp[]", Rule.TIMESTAMP, Values::timestamp),
            Column.array("atz", "timestamptz[]", Rule.TIMESTAMPTZ, Values::timestamptz),
            Column.array("attz", "timetz[]", Rule.TIMETZ, Values::timetz),
            Column.array("aiv", "interval[]", Rule.STRING, Values::interval),
            Column.array("au", "uuid[]", Rule.STRING, Values::uuid),
            Column.array("aj", "jsonb[]", Rule.JSON, Values::jsonb),
            Column.array("ajs", "json[]", Rule.JSON, Values::json),
            Column.array("am", "mood[]", Rule.STRING, Schema::mood),
            Column.array("apos", "positive[]", Rule.INTEGER, v -> Integer.toString(1 + v.random().nextInt(1000))),
            Column.array("abx", "box[]", Rule.STRING, v -> "box(point(" + v.random().nextInt(9) + ","
                    + v.random().nextInt(9) + "), point(0.5,-1))"),
            new Column("g", "bigint GENERATED ALWAYS AS (i4::bigint * 2) STORED", Rule.INTEGER, null, null, true, false),
            new Column("body", "text", Rule.STRING, null, Schema::toastText, false, true)), 1);

    static final Table PAIRS = new Table("pairs", List.of(
            Column.of("grp", "text", Rule.STRING, null),
            Column.of("n", "integer", Rule.INTEGER, null),
            Column.of("v", "numeric", Rule.NUMERIC, Values::numeric),
            Column.of("note", "text", Rule.STRING, v -> Values.quote(v.text(10))),
            new Column("big", "bytea", Rule.STRING, null, Schema::toastBytes, false, true)), 2);

    static final Table DOCS = new Table("docs", List.of(
            Column.of("id", "uuid", Rule.STRING, null),
            Column.of("ver", "integer", Rule.INTEGER, Values::integer),
            Column.of("doc", "jsonb", Rule.JSON, Values::jsonb),
            new Column("big", "text", Rule.STRING, null, Schema::toastText, false, true),
            new Column("big2", "jsonb", Rule.JSON, null, Schema::toastJson, false, true)), 1);

    /** A table whose shape the workload changes while capture runs ({@link Workload#SHAPE_CHANGES}). */
    static final Table SHIFTING = new Table("shifting", List.of(
            Column.of("id", "integer", Rule.INTEGER, null),
            Column.of("a", "integer", Rule.INTEGER, Values::integer),
            Column.of("b", "text", Rule.STRING, v -> Values.quote(v.text(5))),
            Column.of("c", "numeric", Rule.NUMERIC, Values::numeric),
            Column.of("d", "timestamptz", Rule.TIMESTAMPTZ, Values::timestamptz)), 1);

    static final List<Table> TABLES = List.of(ALL_TYPES, PAIRS, DOCS, SHIFTING);

    private Schema() {}

    static List<String> createStatements(Table table) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(table.name()).append(" (");
        for (Column column : table.columns()) {
            ddl.append(column.name()).append(' ').append(column.type()).append(", ");
        }
        ddl.append("PRIMARY KEY (");
        ddl.append(String.join(", ", table.key().stream().map(Column::name).toList())).append("))");
        List<String> statements = new java.util.ArrayList<>(List.of(ddl.toString()));
        for (Column column : table.columns()) {
            if (column.toast()) {
                statements.add("ALTER TABLE " + table.name() + " ALTER COLUMN " + column.name() + " SET STORAGE EXTERNAL");
            }
        }
        return statements;
    }

    private static String mood(Values v) {
        return Values.quote(v.pick(List.of("sad", "happy", "so-so \"quoted\"", "ünïcödé, {braced}", "NULL"))) + "::mood";
    }

    private static String toastText(Values v) {
        return v.chance(0.15) ? "NULL" : Values.quote(v.longText(v.chance(0.5) ? 2500 + v.random().nextInt(8000) : 40));
    }

    private static String toastBytes(Values v) {
        return v.chance(0.15) ? "NULL" : v.bytea(v.chance(0.5) ? 6000 : 20)
                + (v.chance(0.5) ? " || decode(repeat('ab', 3000), 'hex')" : "");
    }

    private static String toastJson(Values v) {
        if (v.chance(0.3)) {
            return "NULL";
        }
        return "jsonb_build_object('text', " + Values.quote(v.longText(3000)) + ", 'n', " + v.random().nextInt(100) + ")";
    }
}
