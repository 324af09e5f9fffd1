/**
 * The v1 Kafka wire contracts ({@code trol.requests}, {@code trol.answers}, {@code trol.tokens})
 * as records, the strict request parser, and the one JSON configuration used to write and read
 * them. Each record has a JSON Schema under {@code src/main/resources/schemas/}; tests validate
 * produced JSON against it.
 *
 * <p>Plain Java plus Jackson: no Kafka client and no CDI here, so the contracts unit-test without
 * booting Quarkus and the consumer, the REST side and {@code generate --requests} share them.
 *
 * <p>Error codes travel in the Kafka header {@code trol-error-code} (and in
 * {@code TrolAnswer.error.code}) in lower-case-with-dashes form, e.g. {@code invalid-base64}; see
 * {@link io.trolserve.messaging.contract.ErrorCode#wireName()}.
 */
package io.trolserve.messaging.contract;
