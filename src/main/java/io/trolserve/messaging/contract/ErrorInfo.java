package io.trolserve.messaging.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Why an answer has {@code finishReason: error}.
 *
 * @param code lower-case with dashes, as {@link ErrorCode#wireName()}
 */
public record ErrorInfo(
        @JsonProperty(required = true) String code,
        @JsonProperty(required = true) String message) {

    public ErrorInfo {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public static ErrorInfo of(InvalidRequestException e) {
        return new ErrorInfo(e.code().wireName(), e.getMessage());
    }
}
