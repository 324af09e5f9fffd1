package io.trolserve.messaging.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.trolserve.engine.FinishReason;

/**
 * One {@code trol.answers} record; schema {@code schemas/trol.answers.v1.schema.json}.
 *
 * @param version always {@link ContractJson#VERSION}
 * @param finishReason a finish reason's wire name ({@link WireFinishReason})
 * @param error required when finishReason is {@code error}, else usually null
 * @param tokenIds generated token ids; only {@code generate --requests} fills it, Kafka answers
 *     leave it null (and out of the JSON)
 * @param attempt which execution of the request this answer ends (the epoch milliseconds at which
 *     the serving instance accepted the record; a redelivery runs with a larger one); the request's
 *     token events carry the same value, so tokens of a superseded partial run can be dropped;
 *     null outside the Kafka service
 * @param warnings what the requester should know although the request was served, e.g.
 *     {@code headers-not-carried}; null when there is nothing to say
 */
public record TrolAnswer(
        @JsonProperty(required = true) int version,
        @JsonProperty(required = true) String id,
        @JsonProperty(required = true) String model,
        @JsonProperty(required = true) String answer,
        @JsonProperty(required = true) String finishReason,
        ErrorInfo error,
        @JsonProperty(required = true) Usage usage,
        @JsonProperty(required = true) Timings timings,
        int[] tokenIds,
        Long attempt,
        List<String> warnings) {

    public TrolAnswer {
        if (version != ContractJson.VERSION) {
            throw new IllegalArgumentException("unsupported trol.answers version " + version);
        }
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(timings, "timings");
        if (WireFinishReason.parse(finishReason) == FinishReason.ERROR && error == null) {
            throw new IllegalArgumentException("finishReason error needs an error");
        }
        warnings = warnings == null || warnings.isEmpty() ? null : List.copyOf(warnings);
    }

    /** A version-1 answer without token ids: what the Kafka service publishes. */
    public TrolAnswer(String id, String model, String answer, FinishReason finishReason,
            ErrorInfo error, Usage usage, Timings timings) {
        this(ContractJson.VERSION, id, model, answer, WireFinishReason.of(finishReason), error, usage, timings,
                null, null, null);
    }

    public TrolAnswer withTokenIds(int[] ids) {
        return new TrolAnswer(version, id, model, answer, finishReason, error, usage, timings, ids, attempt, warnings);
    }

    public TrolAnswer withAttempt(long attempt, List<String> warnings) {
        return new TrolAnswer(version, id, model, answer, finishReason, error, usage, timings, tokenIds, attempt,
                warnings);
    }

    // int[] compares by content, so answers read back equal the answers written.
    @Override
    public boolean equals(Object o) {
        return o instanceof TrolAnswer a
                && version == a.version && id.equals(a.id) && model.equals(a.model)
                && answer.equals(a.answer) && finishReason.equals(a.finishReason)
                && Objects.equals(error, a.error) && usage.equals(a.usage)
                && timings.equals(a.timings) && Arrays.equals(tokenIds, a.tokenIds)
                && Objects.equals(attempt, a.attempt) && Objects.equals(warnings, a.warnings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, id, model, answer, finishReason, error, usage, timings, attempt, warnings)
                * 31 + Arrays.hashCode(tokenIds);
    }

    @Override
    public String toString() {
        return "TrolAnswer[id=" + id + ", model=" + model + ", finishReason=" + finishReason
                + ", error=" + error + ", usage=" + usage + ", timings=" + timings
                + ", answer=" + answer + ", tokenIds=" + Arrays.toString(tokenIds) + ", attempt=" + attempt
                + ", warnings=" + warnings + "]";
    }
}
