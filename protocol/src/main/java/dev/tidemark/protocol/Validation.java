package dev.tidemark.protocol;

import java.util.List;

/** Checks shared by the message records; each failure is a {@link ProtocolException}. */
final class Validation {

    /** Longest client id, history id, batch id or entity type accepted. */
    static final int MAX_ID_LENGTH = 256;

    private Validation() {}

    static <T> T required(T value, String field) {
        if (value == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing required field '" + field + "'");
        }
        return value;
    }

    static String requiredId(String value, String field) {
        required(value, field);
        if (value.isEmpty() || value.length() > MAX_ID_LENGTH) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "field '" + field + "' must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        return value;
    }

    static String optionalId(String value, String field) {
        return value == null ? null : requiredId(value, field);
    }

    static List<String> ids(List<String> values, String field) {
        required(values, field);
        for (String value : values) {
            requiredId(value, field + "[]");
        }
        return List.copyOf(values);
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, message);
        }
    }
}
