package io.trolserve.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.metrics.ServingMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Writes to {@code trol.tokens}, {@code trol.answers} and {@code trol.requests.dlq}, keyed by
 * request id with the request's correlation headers. Called from the engine thread, so it never
 * blocks: sends are buffered (bounded in practice by max-in-flight requests times their tokens)
 * and the returned stages complete when the broker has the record (acks=all).
 */
@ApplicationScoped
public class AnswerPublisher {

    @Inject
    @Channel("trol-tokens")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> tokens;

    @Inject
    @Channel("trol-answers")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> answers;

    @Inject
    @Channel("trol-requests-dlq")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> deadLetters;

    @Inject
    ServingMetrics metrics;

    public CompletionStage<Void> token(TokenEvent event, List<RecordHeader> headers) {
        return send(tokens, event.id(), ContractJson.write(event), headers);
    }

    public CompletionStage<Void> answer(TrolAnswer answer, List<RecordHeader> headers) {
        return send(answers, answer.id(), ContractJson.write(answer), headers);
    }

    /** The rejected record unchanged (key, value, headers) plus why and where it came from. */
    public CompletionStage<Void> deadLetter(IncomingKafkaRecordMetadata<byte[], byte[]> source, byte[] value, String code,
                                           String message) {
        List<RecordHeader> headers = new ArrayList<>();
        source.getHeaders().forEach(h -> headers.add(new RecordHeader(h.key(), h.value())));
        headers.add(RecordHeaders.text(RecordHeaders.ERROR_CODE, code));
        headers.add(RecordHeaders.text(RecordHeaders.ERROR_MESSAGE, message));
        headers.add(RecordHeaders.text(RecordHeaders.SOURCE_TOPIC, source.getTopic()));
        headers.add(RecordHeaders.text(RecordHeaders.SOURCE_PARTITION, Integer.toString(source.getPartition())));
        headers.add(RecordHeaders.text(RecordHeaders.SOURCE_OFFSET, Long.toString(source.getOffset())));
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(source.getKey()).withHeaders(headers).build();
        CompletionStage<Void> sent = send(deadLetters, metadata, value);
        // counted once the broker has it; a failed send stays uncommitted and counts on its redelivery
        sent.thenRun(() -> metrics.deadLettered(code));
        return sent;
    }

    private static CompletionStage<Void> send(Emitter<byte[]> emitter, String key, byte[] value, List<RecordHeader> headers) {
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(key.getBytes(StandardCharsets.UTF_8)).withHeaders(headers).build();
        return send(emitter, metadata, value);
    }

    private static CompletionStage<Void> send(Emitter<byte[]> emitter, OutgoingKafkaRecordMetadata<byte[]> metadata,
                                              byte[] value) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(Message.of(value).addMetadata(metadata)
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return acked;
    }
}
