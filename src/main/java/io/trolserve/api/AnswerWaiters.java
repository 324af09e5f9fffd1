package io.trolserve.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.NonBlocking;
import io.trolserve.messaging.Topics;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.TrolAnswer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * REST callers waiting for answers, by request id. Every instance reads all of
 * {@code trol.answers} (its own consumer group), because any instance may have produced the
 * answer to a request this instance published.
 */
@ApplicationScoped
public class AnswerWaiters {

    private static final Logger LOG = Logger.getLogger(AnswerWaiters.class);

    private final Map<String, CompletableFuture<TrolAnswer>> waiting = new ConcurrentHashMap<>();

    /**
     * Registers before the request is published, so the answer cannot slip past. One caller per
     * id: a second POST of an id still waiting here gets nothing (the resource answers 409), and
     * the first caller keeps its wait.
     *
     * @return the answer to wait for, completed only once the id is free again; empty when the
     *     id is already waited for
     */
    Optional<CompletableFuture<TrolAnswer>> await(String id, Duration timeout) {
        CompletableFuture<TrolAnswer> registered = new CompletableFuture<>();
        if (waiting.putIfAbsent(id, registered) != null) {
            return Optional.empty();
        }
        return Optional.of(registered.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((answer, failure) -> waiting.remove(id, registered)));
    }

    /** The request could not be published: its caller stops waiting. */
    void fail(String id, Throwable failure) {
        CompletableFuture<TrolAnswer> f = waiting.get(id);
        if (f != null) {
            f.completeExceptionally(failure);
        }
    }

    /** Whether a POST of this id waits for its answer on this instance. */
    boolean pending(String id) {
        return waiting.containsKey(id);
    }

    // cheap in-memory work: run it on the connector's thread, not the worker pool, which shuts
    // down before the consumers stop (RejectedExecutionException on every late record otherwise)
    @Incoming(Topics.REST_ANSWERS)
    @NonBlocking
    public void onAnswer(byte[] value) {
        TrolAnswer answer;
        try {
            answer = ContractJson.readAnswer(value);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring an unreadable record on trol.answers: " + e.getMessage());
            return;
        }
        CompletableFuture<TrolAnswer> f = waiting.get(answer.id());
        if (f != null) {
            f.complete(answer);
        }
    }
}
