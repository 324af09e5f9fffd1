package io.trolserve.messaging;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Writes to {@code trol.tokens}, {@code trol.answers} and {@code trol.requests.dlq}, keyed by
 * request id. Called from the engine thread, so it never blocks: sends are buffered (bounded in
 * practice by max-in-flight requests times their tokens) and the returned stages complete when
 * the broker has the record (acks=all), or fail with the producer's reason.
 */
@ApplicationScoped
public class AnswerPublisher implements RecordOutlet {

    @Inject
    @Channel(Topics.TOKENS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> tokens;

    @Inject
    @Channel(Topics.ANSWERS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> answers;

    @Inject
    @Channel(Topics.REQUESTS_DLQ)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> deadLetters;

    @Override
    public CompletionStage<Void> token(TokenEvent event, List<Header> headers) {
        return send(tokens, key(event.id()), ContractJson.write(event), headers);
    }

    @Override
    public CompletionStage<Void> answer(TrolAnswer answer, List<Header> headers) {
        return send(answers, key(answer.id()), ContractJson.write(answer), headers);
    }

    @Override
    public CompletionStage<Void> deadLetter(DeadLetter letter) {
        return send(deadLetters, letter.key(), letter.value(), letter.headers());
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private static CompletionStage<Void> send(Emitter<byte[]> emitter, byte[] key, byte[] value, List<Header> headers) {
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(key)
                .withHeaders(new org.apache.kafka.common.header.internals.RecordHeaders(headers.toArray(Header[]::new)))
                .build();
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
