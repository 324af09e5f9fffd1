package io.trolserve.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Consumes {@code trol.requests}. Acknowledgement is manual: a record is acked only once its answer
 * (or its dead letter) is on the broker, and the throttled commit strategy commits each partition
 * up to its oldest unacknowledged record, so requests may finish in any order and none is lost.
 * The method runs on a small worker pool and blocks while max-in-flight requests are held: the
 * connector then stops asking for records and pauses the consumer instead of buffering.
 */
@ApplicationScoped
public class RequestConsumer {

    @Inject
    RequestIntake intake;

    @Incoming(Topics.REQUESTS)
    @Blocking(value = "trol-intake", ordered = false)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        intake.accept(message);
        return CompletableFuture.completedFuture(null);
    }
}
