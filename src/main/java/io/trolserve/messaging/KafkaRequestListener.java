package io.trolserve.messaging;

import java.util.List;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.jboss.logging.Logger;

import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import io.trolserve.metrics.ServingMetrics;
import io.trolserve.service.ServiceRuntime;

/**
 * Streams one request's tokens to {@code trol.tokens} and its answer to {@code trol.answers}, then
 * acknowledges the request once the answer is on the broker. Runs on the engine thread: every
 * call only hands records to the producer. A request cancelled because the service is shutting
 * down is neither answered nor acknowledged, so it is redelivered after the restart.
 */
final class KafkaRequestListener implements RequestListener {

    private static final Logger LOG = Logger.getLogger(KafkaRequestListener.class);

    private final ServiceRuntime runtime;
    private final AnswerPublisher publisher;
    private final ServingMetrics metrics;
    private final List<RecordHeader> headers;
    private final Runnable acknowledge;
    private final Runnable releaseUnacknowledged;

    /**
     * @param acknowledge           frees the request's slot and acks its record
     * @param releaseUnacknowledged frees the slot only, leaving the record uncommitted
     */
    KafkaRequestListener(ServiceRuntime runtime, AnswerPublisher publisher, ServingMetrics metrics,
                         List<RecordHeader> headers, Runnable acknowledge, Runnable releaseUnacknowledged) {
        this.runtime = runtime;
        this.publisher = publisher;
        this.metrics = metrics;
        this.headers = headers;
        this.acknowledge = acknowledge;
        this.releaseUnacknowledged = releaseUnacknowledged;
    }

    @Override
    public void onToken(TokenOutput token) {
        metrics.token(token);
        publisher.token(Answers.token(token, runtime.modelName()), headers);
    }

    @Override
    public void onFinish(RequestOutput output) {
        if (output.finishReason() == FinishReason.CANCELLED && runtime.stopping()) {
            LOG.debugf("request %s left for redelivery: the service is shutting down", output.requestId());
            releaseUnacknowledged.run();
            return;
        }
        // recorded before the answer leaves, so a client that has the answer finds it counted; not for
        // a request left for redelivery above, which is counted when it is answered after the restart
        metrics.finished(output);
        publisher.answer(Answers.of(output, runtime.modelName()), headers).whenComplete((ok, failure) -> {
            if (failure == null) {
                acknowledge.run();
            } else {
                LOG.errorf(failure, "answer of %s not published; it stays uncommitted", output.requestId());
                releaseUnacknowledged.run();
            }
        });
    }
}
