package dev.tidemark.server.oracle;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Random SQL literals per type, drawn from a seeded {@link Random}; extremes and odd cases are frequent. */
final class Values {

    private static final String[] TEXT_PIECES = {"a", "Z", "0", " ", "  ", "'", "\"", "\\", "{", "}", ",", ";", "\n",
        "\t", "\r", "é", "ü", "ß", "中文", "😀", "👍🏽", "\u200d", "\u202e", "\uFFFD", "\u00a0", "NULL", "null", "[0:1]=",
        "=", "\\x", "$$", "--", "/*", "%", "_"};

    private final Random random;

    Values(Random random) {
        this.random = random;
    }

    Random random() {
        return random;
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    String text(int maxPieces) {
        StringBuilder out = new StringBuilder();
        int n = random.nextInt(maxPieces + 1);
        for (int i = 0; i < n; i++) {
            if (random.nextInt(3) == 0) {
                out.append(TEXT_PIECES[random.nextInt(TEXT_PIECES.length)]);
            } else {
                out.append((char) ('a' + random.nextInt(26)));
            }
        }
        return out.toString();
    }

    /** A text of {@code length} characters or more, mostly ASCII, that PostgreSQL cannot compress much. */
    String longText(int length) {
        StringBuilder out = new StringBuilder(length + 8);
        while (out.length() < length) {
            if (random.nextInt(50) == 0) {
                out.append(TEXT_PIECES[random.nextInt(TEXT_PIECES.length)]);
            } else {
                out.append((char) (' ' + random.nextInt(95)));
            }
        }
        return out.toString();
    }

    String smallint() {
        return pick(List.of("-32768", "32767", "0", "-1", Integer.toString(random.nextInt(65536) - 32768)));
    }

    String integer() {
        return pick(List.of("-2147483648", "2147483647", "0", Integer.toString(random.nextInt()),
                Integer.toString(random.nextInt(1000))));
    }

    String bigint() {
        return pick(List.of("-9223372036854775808", "9223372036854775807", "0", Long.toString(random.nextLong()),
                Long.toString(random.nextInt(1000))));
    }

    /** A finite number that fits numeric(30,10). */
    String numericScaled() {
        return switch (random.nextInt(6)) {
            case 0 -> "0";
            case 1 -> "-99999999999999999999.9999999999";
            case 2 -> "0.00000000005";
            case 3 -> "1.50";
            default -> decimal(20, 12);
        };
    }

    /** Any numeric: NaN, infinities, tiny, huge (over 1000 digits), trailing zeros. */
    String numeric() {
        return switch (random.nextInt(12)) {
            case 0 -> "'NaN'";
            case 1 -> "'Infinity'";
            case 2 -> "'-Infinity'";
            case 3 -> "0.0000001";
            case 4 -> "-0.000";
            case 5 -> "1" + "0".repeat(random.nextInt(40)) + ".00";
            case 6 -> "(repeat('9', " + (990 + random.nextInt(30)) + ") || '.5')::numeric";
            case 7 -> "1e-" + random.nextInt(300);
            default -> decimal(38, 20);
        };
    }

    private String decimal(int intDigits, int fractionDigits) {
        StringBuilder out = new StringBuilder();
        if (random.nextBoolean()) {
            out.append('-');
        }
        int digits = 1 + random.nextInt(intDigits);
        for (int i = 0; i < digits; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        int fraction = random.nextInt(fractionDigits + 1);
        if (fraction > 0) {
            out.append('.');
            for (int i = 0; i < fraction; i++) {
                out.append((char) ('0' + random.nextInt(10)));
            }
        }
        return out.toString();
    }

    String real() {
        return switch (random.nextInt(12)) {
            case 0 -> "'NaN'::real";
            case 1 -> "'Infinity'::real";
            case 2 -> "'-Infinity'::real";
            case 3 -> "'-0'::real";
            case 4 -> "'3.4028235e38'::real";
            case 5 -> "'1.4e-45'::real";
            case 6 -> "'0.1'::real";
            default -> {
                float f = Float.intBitsToFloat(random.nextInt());
                yield Float.isFinite(f) ? "'" + f + "'::real" : "'1.5'::real";
            }
        };
    }

    String doublePrecision() {
        return switch (random.nextInt(12)) {
            case 0 -> "'NaN'::float8";
            case 1 -> "'Infinity'::float8";
            case 2 -> "'-Infinity'::float8";
            case 3 -> "'-0'::float8";
            case 4 -> "'1.7976931348623157e308'::float8";
            case 5 -> "'4.9e-324'::float8";
            case 6 -> "'0.1'::float8";
            case 7 -> "'1e+20'::float8";
            default -> {
                double d = Double.longBitsToDouble(random.nextLong());
                yield Double.isFinite(d) ? "'" + d + "'::float8" : "'2.5'::float8";
            }
        };
    }

    String bool() {
        return random.nextBoolean() ? "true" : "false";
    }

    String bytea(int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return "'\\x" + HexFormat.of().formatHex(bytes) + "'::bytea";
    }

    private String datePart(boolean allowBeyond) {
        return switch (random.nextInt(10)) {
            case 0 -> "0044-03-15 BC";
            case 1 -> "4713-01-01 BC";
            case 2 -> allowBeyond ? "10000-01-01" : "9999-12-31";
            case 3 -> "0001-01-01";
            case 4 -> String.format("%04d-%02d-%02d BC", 1 + random.nextInt(4000), 1 + random.nextInt(12),
                    1 + random.nextInt(28));
            default -> String.format("%04d-%02d-%02d", 1 + random.nextInt(9999), 1 + random.nextInt(12),
                    1 + random.nextInt(28));
        };
    }

    private static String withEra(String date, String time) {
        return date.endsWith(" BC") ? date.substring(0, date.length() - 3) + " " + time + " BC" : date + " " + time;
    }

    String date() {
        return switch (random.nextInt(12)) {
            case 0 -> "'infinity'::date";
            case 1 -> "'-infinity'::date";
            case 2 -> "'5874897-12-31'::date";
            default -> quote(datePart(true)) + "::date";
        };
    }

    private String timeText() {
        return switch (random.nextInt(8)) {
            case 0 -> "00:00:00";
            case 1 -> "24:00:00";
            case 2 -> "23:59:59.999999";
            default -> {
                String t = String.format("%02d:%02d:%02d", random.nextInt(24), random.nextInt(60), random.nextInt(60));
                int digits = random.nextInt(7);
                if (digits > 0) {
                    t += "." + String.format("%06d", random.nextInt(1_000_000)).substring(0, digits);
                }
                yield t;
            }
        };
    }

    private String offset() {
        return pick(List.of("+00", "-00:30", "+05:30", "-12", "+14", "+13:45", "+01:02:03", "-09:59:59", "+00:00:01"));
    }

    String time() {
        return quote(timeText()) + "::time";
    }

    String timetz() {
        return quote(timeText() + offset()) + "::timetz";
    }

    String timestamp() {
        return switch (random.nextInt(12)) {
            case 0 -> "'infinity'::timestamp";
            case 1 -> "'-infinity'::timestamp";
            case 2 -> "'294276-12-31 23:59:59.999999'::timestamp";
            case 3 -> "'4713-11-24 00:00:00 BC'::timestamp";
            default -> quote(withEra(datePart(true), timeText().replace("24:00:00", "23:00:00"))) + "::timestamp";
        };
    }

    String timestamptz() {
        return switch (random.nextInt(12)) {
            case 0 -> "'infinity'::timestamptz";
            case 1 -> "'-infinity'::timestamptz";
            case 2 -> "'294276-12-31 12:00:00+00'::timestamptz";
            case 3 -> "'4713-11-25 00:00:00+00 BC'::timestamptz";
            default -> quote(withEra(datePart(false), timeText().replace("24:00:00", "23:00:00") + offset()))
                    + "::timestamptz";
        };
    }

    String interval() {
        return switch (random.nextInt(10)) {
            case 0 -> "'infinity'::interval";
            case 1 -> "'-infinity'::interval";
            case 2 -> "'-178000000 years'::interval";
            case 3 -> "'0'::interval";
            default -> quote(random.nextInt(1000) - 500 + " years " + (random.nextInt(30) - 15) + " mons "
                    + (random.nextInt(1000) - 500) + " days " + (random.nextInt(100) - 50) + ":"
                    + random.nextInt(60) + ":" + random.nextInt(60) + "." + random.nextInt(1_000_000)) + "::interval";
        };
    }

    String uuid() {
        return quote(new java.util.UUID(random.nextLong(), random.nextLong()).toString()) + "::uuid";
    }

    /** Random JSON text; duplicate keys and NUL escapes only when {@code plainJson} (jsonb refuses NUL). */
    String jsonText(int depth, boolean plainJson) {
        int kind = random.nextInt(depth > 3 ? 6 : 8);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> pick(List.of("0", "-0", "1.0", "1.50", "1e2", "-1E-7", "1E400", "123456789012345678901234567890",
                    "0.1", "-12.5e+3"));
            case 3 -> Long.toString(random.nextLong());
            case 4, 5 -> jsonString(plainJson);
            case 6 -> {
                StringBuilder out = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? ", " : "").append(jsonText(depth + 1, plainJson));
                }
                yield out.append("]").toString();
            }
            default -> {
                StringBuilder out = new StringBuilder("{");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    String key = plainJson && i > 0 && random.nextInt(4) == 0 ? "k0" : "k" + i;
                    if (random.nextInt(5) == 0) {
                        key = text(3).replace("\\", "").replace("\"", "").replace("\n", "").replace("\t", "")
                                .replace("\r", "");
                    }
                    out.append(i > 0 ? " , " : "").append('"').append(key).append("\": ")
                            .append(jsonText(depth + 1, plainJson));
                }
                yield out.append("}").toString();
            }
        };
    }

    private String jsonString(boolean plainJson) {
        String s = text(6).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t")
                .replace("\r", "\\r");
        if (random.nextInt(4) == 0) {
            s += pick(plainJson ? List.of("\\u00e9", "\\ud83d\\ude00", "\\u0000", "\\/")
                    : List.of("\\u00e9", "\\ud83d\\ude00", "\\/"));
        }
        return "\"" + s + "\"";
    }

    String json() {
        return quote(jsonText(0, true)) + "::json";
    }

    String jsonb() {
        return quote(jsonText(0, false)) + "::jsonb";
    }

    /** An array constructor of {@code element} values with NULLs, one to three dimensions, or a decorated literal. */
    String array(Function<Values, String> element, String arrayType) {
        switch (random.nextInt(8)) {
            case 0:
                return "'{}'::" + arrayType;
            case 1: {
                int rows = 1 + random.nextInt(3);
                int cols = 1 + random.nextInt(3);
                StringBuilder out = new StringBuilder("ARRAY[");
                for (int r = 0; r < rows; r++) {
                    out.append(r > 0 ? "," : "").append("[");
                    for (int c = 0; c < cols; c++) {
                        out.append(c > 0 ? "," : "").append(random.nextInt(5) == 0 ? "NULL" : element.apply(this));
                    }
                    out.append("]");
                }
                return out.append("]::").append(arrayType).toString();
            }
            case 2: {
                StringBuilder out = new StringBuilder("ARRAY[");
                for (int a = 0; a < 2; a++) {
                    out.append(a > 0 ? "," : "").append("[");
                    for (int r = 0; r < 2; r++) {
                        out.append(r > 0 ? "," : "").append("[").append(element.apply(this)).append(",NULL]");
                    }
                    out.append("]");
                }
                return out.append("]::").append(arrayType).toString();
            }
            case 3:
                // a lower bound other than 1: dropped in JSON by both sides
                return "(array_fill(NULL::" + arrayType.substring(0, arrayType.length() - 2) + ", ARRAY[1], ARRAY["
                        + (random.nextInt(5) - 3) + "]) || ARRAY[" + element.apply(this) + "]::" + arrayType + ")";
            default: {
                StringBuilder out = new StringBuilder("ARRAY[");
                int n = 1 + random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? "," : "").append(random.nextInt(5) == 0 ? "NULL" : element.apply(this));
                }
                return out.append("]::").append(arrayType).toString();
            }
        }
    }
}
