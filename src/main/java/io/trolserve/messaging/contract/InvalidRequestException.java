package io.trolserve.messaging.contract;

import java.util.Objects;

/**
 * A {@code trol.requests} record that cannot be served. The consumer sends the record unchanged to
 * the DLQ with {@link ErrorCode#wireName()} and {@link #getMessage()} as headers, and answers the
 * request with the error when its {@link #requestId()} is known.
 *
 * <p>Checked, so every caller of {@link RequestParser#parse} decides where bad input goes: bad input
 * must never stop the consumer. No stack trace is captured: a flood of bad records should not cost
 * a stack walk each, and the message already names the offending field.
 */
public final class InvalidRequestException extends Exception {

    private final ErrorCode code;
    private final String requestId;

    public InvalidRequestException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private InvalidRequestException(ErrorCode code, String message, String requestId) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.requestId = requestId;
    }

    public ErrorCode code() {
        return code;
    }

    /** The id of the refused request when the parser got as far as a valid one; else null. */
    public String requestId() {
        return requestId;
    }

    InvalidRequestException withRequestId(String id) {
        return new InvalidRequestException(code, getMessage(), id);
    }

    @Override
    public String toString() {
        return code.wireName() + ": " + getMessage();
    }
}
