package io.trolserve.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.trolserve.engine.EngineClosedException;
import io.trolserve.messaging.contract.InvalidRequestException;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.metrics.ServingMetrics;
import io.trolserve.service.ServiceRuntime;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * One request record from arrival to hand-over: hold an in-flight slot, parse, prepare (image,
 * prompt), submit to the engine. A record that cannot become a request goes to the dead-letter
 * topic unchanged with the reason, gets an error answer when its id is known, and is acked once
 * both are on the broker; a good one is acked by its {@link KafkaRequestListener}.
 */
@ApplicationScoped
public class RequestIntake {

    private static final Logger LOG = Logger.getLogger(RequestIntake.class);
    /** The metrics' error code for a record the connector dead-letters after an intake bug (not bad input). */
    static final String INTAKE_FAILURE = "intake-failure";

    @Inject
    ServiceRuntime runtime;

    @Inject
    AnswerPublisher publisher;

    @Inject
    MessagingSettings settings;

    @Inject
    ServingMetrics metrics;

    private Semaphore inFlight;

    @PostConstruct
    void init() {
        inFlight = new Semaphore(settings.maxInFlight());
    }

    /** Requests currently held in memory (for metrics and tests). */
    public int inFlight() {
        return settings.maxInFlight() - inFlight.availablePermits();
    }

    void accept(Message<byte[]> message) {
        inFlight.acquireUninterruptibly();
        try {
            handle(message);
        } catch (RuntimeException e) {
            // a bug, not bad input: give the slot back and let the failure strategy dead-letter it
            LOG.error("request intake failed", e);
            inFlight.release();
            message.nack(e);
            // the connector's failure strategy writes this dead letter, without a trol-error-code header
            metrics.deadLettered(INTAKE_FAILURE);
        }
    }

    private void handle(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<byte[], byte[]> meta = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException("not a Kafka record"));
        String keyId = meta.getKey() == null ? null : new String(meta.getKey(), java.nio.charset.StandardCharsets.UTF_8);
        TrolRequest request;
        try {
            request = runtime.parser().parse(message.getPayload(), keyId);
        } catch (InvalidRequestException e) {
            reject(message, meta, keyId, e.code().wireName(), e.getMessage());
            return;
        }
        RequestPreparation.Outcome outcome = runtime.preparation().prepare(request);
        if (outcome instanceof RequestPreparation.Rejected r) {
            reject(message, meta, r.id(), r.code(), r.message());
            return;
        }
        RequestPreparation.Prepared prepared = (RequestPreparation.Prepared) outcome;
        KafkaRequestListener listener = new KafkaRequestListener(runtime, publisher, metrics,
                RecordHeaders.carried(meta.getHeaders()), () -> finish(message), inFlight::release);
        try {
            runtime.engine().orElseThrow().submit(prepared.request(), listener);
        } catch (EngineClosedException e) {
            // fetched before intake paused, arriving after shutdown began: neither ack (it was not
            // answered) nor nack (it is not bad input); its offset stays uncommitted, so the next
            // instance to own the partition gets it again
            LOG.debugf("request %s arrived during shutdown; left uncommitted for redelivery", request.id());
            inFlight.release();
        }
    }

    private void reject(Message<byte[]> message, IncomingKafkaRecordMetadata<byte[], byte[]> meta, String id, String code,
                        String reason) {
        CompletionStage<Void> dead = publisher.deadLetter(meta, message.getPayload(), code, reason);
        CompletionStage<Void> answered = id == null || id.isBlank() ? CompletableFuture.completedFuture(null)
                : publisher.answer(Answers.rejected(id, runtime.modelName(), code, reason), RecordHeaders.carried(meta.getHeaders()));
        dead.thenCombine(answered, (a, b) -> null).whenComplete((ok, failure) -> {
            if (failure == null) {
                finish(message);
            } else {
                LOG.errorf(failure, "could not dead-letter a rejected request (%s); it stays uncommitted", code);
                inFlight.release();
            }
        });
    }

    /** The record's outcome is on the broker: its offset may be committed and its slot reused. */
    private void finish(Message<byte[]> message) {
        inFlight.release();
        message.ack();
    }
}
