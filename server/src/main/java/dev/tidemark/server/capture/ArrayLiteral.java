package dev.tidemark.server.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses PostgreSQL's array text form ({@code {1,2,NULL}}, {@code {{"a b","c\"d"},{e,f}}}) into
 * nested lists whose leaves are the element texts or {@code null} for NULL. A leading dimension
 * decoration ({@code [0:1]=}) is skipped: the JSON array starts at its first element whatever the
 * lower bound.
 */
final class ArrayLiteral {

    private final String text;
    private final char delimiter;
    private int at;

    private ArrayLiteral(String text, char delimiter) {
        this.text = text;
        this.delimiter = delimiter;
    }

    /**
     * @throws IllegalArgumentException when {@code text} is not an array literal
     */
    static List<Object> parse(String text, char delimiter) {
        ArrayLiteral parser = new ArrayLiteral(text, delimiter);
        if (text.startsWith("[")) {
            int equals = text.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("array dimensions without '='");
            }
            parser.at = equals + 1;
        }
        List<Object> result = parser.array();
        parser.skipSpace();
        if (parser.at != text.length()) {
            throw new IllegalArgumentException("text after the array's closing brace");
        }
        return result;
    }

    private List<Object> array() {
        skipSpace();
        expect('{');
        List<Object> elements = new ArrayList<>();
        skipSpace();
        if (peek() == '}') {
            at++;
            return elements;
        }
        while (true) {
            skipSpace();
            char c = peek();
            if (c == '{') {
                elements.add(array());
            } else if (c == '"') {
                elements.add(quoted());
            } else {
                elements.add(unquoted());
            }
            skipSpace();
            char next = next();
            if (next == '}') {
                return elements;
            }
            if (next != delimiter) {
                throw new IllegalArgumentException("expected '" + delimiter + "' or '}' at " + (at - 1));
            }
        }
    }

    private String quoted() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\') {
                c = next();
            }
            value.append(c);
        }
    }

    private String unquoted() {
        StringBuilder value = new StringBuilder();
        int lastNonSpace = 0;
        while (true) {
            char c = peek();
            if (c == delimiter || c == '}') {
                break;
            }
            at++;
            if (c == '\\') {
                value.append(next());
                lastNonSpace = value.length();
            } else {
                value.append(c);
                if (!Character.isWhitespace(c)) {
                    lastNonSpace = value.length();
                }
            }
        }
        value.setLength(lastNonSpace);
        String element = value.toString();
        if (element.isEmpty()) {
            throw new IllegalArgumentException("empty unquoted array element at " + at);
        }
        return element.equalsIgnoreCase("NULL") ? null : element;
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw new IllegalArgumentException("array text ends early");
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char expected) {
        if (next() != expected) {
            throw new IllegalArgumentException("expected '" + expected + "' at " + (at - 1));
        }
    }
}
