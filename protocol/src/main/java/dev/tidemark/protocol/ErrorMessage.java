package dev.tidemark.protocol;

/**
 * {@code error}, either direction: a message was rejected. The connection may stay open.
 *
 * @param code the machine-readable code
 * @param message what was wrong, for people
 */
public record ErrorMessage(ErrorCode code, String message) implements Message {

    public static final String TYPE = "error";

    public ErrorMessage {
        Validation.required(code, "code");
        Validation.required(message, "message");
    }

    /** The {@code error} message reporting {@code exception}. */
    public static ErrorMessage of(ProtocolException exception) {
        return new ErrorMessage(exception.code(), exception.getMessage());
    }

    @Override
    public String type() {
        return TYPE;
    }
}
