package io.trolserve.messaging.contract;

import java.time.Instant;
import java.util.Objects;

/**
 * One {@code trol.requests} record, after {@link RequestParser} has checked it. The wire form is in
 * {@code schemas/trol.requests.v1.schema.json}; {@code version} is optional there and always 1, so
 * it is not kept here.
 *
 * @param id the record's {@code id}, or the record key when it has none
 * @param image null for a text-only question
 * @param params never null: {@link RequestParams#DEFAULTS} where absent
 * @param deadline null: none; may already be past (the service then answers {@code deadline})
 */
public record TrolRequest(
        String id, String question, ImageSource image, RequestParams params, Instant deadline) {

    public TrolRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(params, "params");
    }
}
