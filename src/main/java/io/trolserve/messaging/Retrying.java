package io.trolserve.messaging;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * A publish retried with exponential backoff: {@code attempts} tries, waiting {@code backoff},
 * then twice that, and so on. A record too large for the producer or the broker is not retried:
 * it would fail the same way, and the caller has a smaller form to send instead.
 */
final class Retrying {

    private final int attempts;
    private final Duration backoff;
    private final Delays delays;

    Retrying(int attempts, Duration backoff, Delays delays) {
        this.attempts = attempts;
        this.backoff = backoff;
        this.delays = delays;
    }

    CompletionStage<Void> run(Supplier<? extends CompletionStage<Void>> send) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        attempt(send, 1, result);
        return result;
    }

    private void attempt(Supplier<? extends CompletionStage<Void>> send, int n, CompletableFuture<Void> result) {
        CompletionStage<Void> sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);   // an emitter that refuses at once fails like a send
        }
        sent.whenComplete((ok, failure) -> {
            if (failure == null) {
                result.complete(null);
            } else if (n >= attempts || isTooLarge(failure)) {
                result.completeExceptionally(unwrap(failure));
            } else {
                delays.after(backoff.multipliedBy(1L << Math.min(n - 1, 20)), () -> attempt(send, n + 1, result));
            }
        });
    }

    /** Whether the record exceeded the producer's max.request.size or the broker's message.max.bytes. */
    static boolean isTooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
