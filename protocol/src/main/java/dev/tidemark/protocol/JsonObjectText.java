package dev.tidemark.protocol;

/**
 * Checks that text is exactly one JSON object (RFC 8259, nothing lenient), without building
 * anything: one pass over the characters, no allocation. It replaces a {@code CHECK (json_type(data)
 * = 'object')} that cost 7–20% of the store's apply throughput (measured); this costs about a tenth
 * of that (measured in the SQLite store). Nesting deeper than {@value #MAX_DEPTH} is refused, as
 * {@link Json} refuses it. Used by {@link EntityData}.
 */
final class JsonObjectText {

    static final int MAX_DEPTH = 64;

    private final String text;
    private int at;

    private JsonObjectText(String text) {
        this.text = text;
    }

    /** True when {@code text} is one JSON object, with optional white space around it. */
    static boolean isObject(String text) {
        JsonObjectText check = new JsonObjectText(text);
        check.skipWhiteSpace();
        if (check.at >= text.length() || text.charAt(check.at) != '{' || !check.value(0)) {
            return false;
        }
        check.skipWhiteSpace();
        return check.at == text.length();
    }

    private boolean value(int depth) {
        if (at >= text.length()) {
            return false;
        }
        switch (text.charAt(at)) {
            case '{':
                return depth < MAX_DEPTH && object(depth + 1);
            case '[':
                return depth < MAX_DEPTH && array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    private boolean object(int depth) {
        at++; // {
        skipWhiteSpace();
        if (take('}')) {
            return true;
        }
        while (true) {
            skipWhiteSpace();
            if (at >= text.length() || text.charAt(at) != '"' || !string()) {
                return false;
            }
            skipWhiteSpace();
            if (!take(':')) {
                return false;
            }
            skipWhiteSpace();
            if (!value(depth)) {
                return false;
            }
            skipWhiteSpace();
            if (take('}')) {
                return true;
            }
            if (!take(',')) {
                return false;
            }
        }
    }

    private boolean array(int depth) {
        at++; // [
        skipWhiteSpace();
        if (take(']')) {
            return true;
        }
        while (true) {
            skipWhiteSpace();
            if (!value(depth)) {
                return false;
            }
            skipWhiteSpace();
            if (take(']')) {
                return true;
            }
            if (!take(',')) {
                return false;
            }
        }
    }

    private boolean string() {
        at++; // opening quote
        int length = text.length();
        while (at < length) {
            char c = text.charAt(at++);
            if (c == '"') {
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c == '\\') {
                if (at >= length) {
                    return false;
                }
                char escaped = text.charAt(at++);
                if (escaped == 'u') {
                    for (int i = 0; i < 4; i++) {
                        if (at >= length || Character.digit(text.charAt(at++), 16) < 0 || text.charAt(at - 1) > 'f') {
                            return false;
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(escaped) < 0) {
                    return false;
                }
            }
        }
        return false;
    }

    private boolean number() {
        take('-');
        if (take('0')) {
            // no leading zeros
        } else if (!digits()) {
            return false;
        }
        if (take('.') && !digits()) {
            return false;
        }
        if (take('e') || take('E')) {
            if (!take('+')) {
                take('-');
            }
            return digits();
        }
        return true;
    }

    private boolean digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at > start;
    }

    private boolean literal(String word) {
        if (text.startsWith(word, at)) {
            at += word.length();
            return true;
        }
        return false;
    }

    private boolean take(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void skipWhiteSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }
}
