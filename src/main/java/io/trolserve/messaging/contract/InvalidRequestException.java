package io.trolserve.messaging.contract;

import java.util.Objects;

/**
 * A {@code trol.requests} record that cannot be served. The consumer sends the record unchanged to
 * the DLQ with {@link ErrorCode#wireName()} and {@link #getMessage()} as headers.
 *
 * <p>Checked, so every caller of {@link RequestParser#parse} decides where bad input goes: bad input
 * must never stop the consumer. No stack trace is captured: a flood of bad records should not cost
 * a stack walk each, and the message already names the offending field.
 */
public final class InvalidRequestException extends Exception {

    private final ErrorCode code;

    public InvalidRequestException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return code.wireName() + ": " + getMessage();
    }
}
