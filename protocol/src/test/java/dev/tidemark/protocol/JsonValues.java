package dev.tidemark.protocol;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * JSON values as plain Java trees (LinkedHashMap, List, String, BigDecimal, Boolean, null) for the digest
 * properties: generated at random, written in many spellings of the same value, and changed in one place.
 */
final class JsonValues {

    private JsonValues() {}

    static Arbitrary<Map<String, Object>> objects() {
        return Arbitraries.lazy(() -> object(2));
    }

    private static Arbitrary<Map<String, Object>> object(int depth) {
        return Arbitraries.maps(keys(), value(depth - 1)).ofMaxSize(5).map(LinkedHashMap::new);
    }

    private static Arbitrary<Object> value(int depth) {
        Arbitrary<Object> leaf = leaves();
        if (depth <= 0) {
            return leaf;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, leaf),
                net.jqwik.api.Tuple.of(1, object(depth).map(o -> (Object) o)),
                net.jqwik.api.Tuple.of(1, value(depth - 1).list().ofMaxSize(4).map(l -> (Object) l)));
    }

    static Arbitrary<String> keys() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),
                Arbitraries.strings().all().ofMaxLength(4).filter(JsonValues::isWellFormed));
    }

    static Arbitrary<Object> leaves() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(12).filter(JsonValues::isWellFormed).map(s -> (Object) s),
                numbers().map(n -> (Object) n),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b),
                Arbitraries.just(null));
    }

    static Arbitrary<BigDecimal> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(BigDecimal::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .flatMap(unscaled -> Arbitraries.integers().between(-20, 20)
                                .map(scale -> new BigDecimal(unscaled, scale))));
    }

    /** No lone surrogates: they have no UTF-8 form. */
    static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The value written compactly, members in their order, numbers as BigDecimal prints them. */
    static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, null);
        return out.toString();
    }

    /** The same value in another spelling: members shuffled, whitespace, other number and escape spellings. */
    static String respelled(Object value, long seed) {
        StringBuilder out = new StringBuilder();
        write(value, out, new Random(seed));
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, Random random) {
        space(out, random);
        if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> members = new ArrayList<>(map.entrySet());
            if (random != null) {
                Collections.shuffle(members, random);
            }
            out.append('{');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                space(out, random);
                string((String) members.get(i).getKey(), out, random);
                space(out, random);
                out.append(':');
                write(members.get(i).getValue(), out, random);
            }
            space(out, random);
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out, random);
            }
            space(out, random);
            out.append(']');
        } else if (value instanceof String text) {
            string(text, out, random);
        } else if (value instanceof BigDecimal number) {
            out.append(random == null ? number.toString() : spelling(number, random));
        } else {
            out.append(value);
        }
        space(out, random);
    }

    private static void space(StringBuilder out, Random random) {
        if (random != null && random.nextInt(4) == 0) {
            out.append(" \n\t\r".charAt(random.nextInt(4)));
        }
    }

    private static String spelling(BigDecimal number, Random random) {
        int zeros = random.nextInt(3);
        BigDecimal withZeros = new BigDecimal(number.unscaledValue().multiply(BigInteger.TEN.pow(zeros)),
                number.scale() + zeros);
        return switch (random.nextInt(5)) {
            case 0 -> number.toPlainString();
            case 1 -> withZeros.toPlainString();
            case 2 -> withZeros.toString();
            case 3 -> withZeros.unscaledValue() + "e" + (-withZeros.scale());
            default -> withZeros.unscaledValue() + (withZeros.scale() <= 0 ? "E+" : "E") + (-withZeros.scale());
        };
    }

    private static void string(String text, StringBuilder out, Random random) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String shortForm = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> null;
            };
            boolean mustEscape = c == '"' || c == '\\' || c < 0x20;
            if (mustEscape || random != null && !Character.isSurrogate(c) && random.nextInt(8) == 0) {
                if (shortForm != null && (random == null || random.nextBoolean())) {
                    out.append(shortForm);
                } else {
                    out.append(String.format(random != null && random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
                }
            } else if (c == '/' && random != null && random.nextBoolean()) {
                out.append("\\/");
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /**
     * A copy of {@code value} with one change that alters its meaning: leaf number {@code at} (counted
     * modulo the leaves, depth first) replaced by {@code replacement} when that differs from it, otherwise
     * a member added to the top object.
     */
    static Map<String, Object> changed(Map<String, Object> value, int at, Object replacement) {
        int leaves = countLeaves(value);
        if (leaves == 0) {
            Map<String, Object> copy = new LinkedHashMap<>(value);
            copy.put("added", replacement);
            return copy;
        }
        int[] index = {Math.floorMod(at, leaves)};
        Object[] old = new Object[1];
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) replace(value, index, replacement, old);
        if (sameValue(old[0], replacement)) {
            copy.put(uniqueKey(copy), replacement);
        }
        return copy;
    }

    private static String uniqueKey(Map<String, Object> map) {
        String key = "extra";
        while (map.containsKey(key)) {
            key += "_";
        }
        return key;
    }

    static boolean sameValue(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return java.util.Objects.equals(a, b);
    }

    private static int countLeaves(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().mapToInt(JsonValues::countLeaves).sum();
        }
        if (value instanceof List<?> list) {
            return list.stream().mapToInt(JsonValues::countLeaves).sum();
        }
        return 1;
    }

    private static Object replace(Object value, int[] index, Object replacement, Object[] old) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, replace(v, index, replacement, old)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(replace(v, index, replacement, old)));
            return copy;
        }
        if (index[0]-- == 0) {
            old[0] = value;
            return replacement;
        }
        return value;
    }
}
