package io.trolserve.messaging.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One {@code trol.tokens} record, one per generated token; schema
 * {@code schemas/trol.tokens.v1.schema.json}.
 *
 * @param model the model that generated it, so analytics can group tokens per model
 * @param text the decoded delta; empty while a multi-byte character is incomplete
 * @param ts emission time, microseconds since the epoch
 * @param latencyMs since the previous token; for index 0 since the request was received (TTFT)
 * @param batchSize requests in the engine step that produced this token
 * @param last whether this is the request's final token; {@code "final"} on the wire, a Java
 *     keyword
 * @param attempt the execution of the request this token belongs to, as in its answer: after a
 *     redelivery the stream restarts at index 0 with a larger attempt; null outside the service
 */
public record TokenEvent(
        @JsonProperty(required = true) int version,
        @JsonProperty(required = true) String id,
        @JsonProperty(required = true) String model,
        @JsonProperty(required = true) int index,
        @JsonProperty(required = true) int tokenId,
        @JsonProperty(required = true) String text,
        @JsonProperty(required = true) long ts,
        @JsonProperty(required = true) double latencyMs,
        @JsonProperty(required = true) int batchSize,
        @JsonProperty(value = "final", required = true) boolean last,
        Long attempt) {

    public TokenEvent {
        if (version != ContractJson.VERSION) {
            throw new IllegalArgumentException("unsupported trol.tokens version " + version);
        }
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(text, "text");
        if (index < 0 || tokenId < 0 || ts < 0 || batchSize < 1
                || !(latencyMs >= 0 && latencyMs < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("bad token event: index=" + index + " tokenId="
                    + tokenId + " ts=" + ts + " batchSize=" + batchSize + " latencyMs=" + latencyMs);
        }
    }

    /** A version-1 token event. */
    public TokenEvent(String id, String model, int index, int tokenId, String text, long ts, double latencyMs,
            int batchSize, boolean last) {
        this(ContractJson.VERSION, id, model, index, tokenId, text, ts, latencyMs, batchSize, last, null);
    }

    public TokenEvent withAttempt(long attempt) {
        return new TokenEvent(version, id, model, index, tokenId, text, ts, latencyMs, batchSize, last, attempt);
    }
}
