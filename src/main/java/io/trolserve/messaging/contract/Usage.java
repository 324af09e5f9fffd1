package io.trolserve.messaging.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Token counts of one answer.
 *
 * @param promptTokens every prompt position, image positions included
 * @param imageTokens the image positions among them
 */
public record Usage(
        @JsonProperty(required = true) int promptTokens,
        @JsonProperty(required = true) int imageTokens,
        @JsonProperty(required = true) int completionTokens) {

    /** For an answer that never ran the model (deadline already past, error). */
    public static final Usage NONE = new Usage(0, 0, 0);

    public Usage {
        if (promptTokens < 0 || imageTokens < 0 || completionTokens < 0 || imageTokens > promptTokens) {
            throw new IllegalArgumentException(
                    "bad usage: " + promptTokens + ", " + imageTokens + ", " + completionTokens);
        }
    }
}
