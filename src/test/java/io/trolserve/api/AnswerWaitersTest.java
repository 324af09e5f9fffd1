package io.trolserve.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import io.trolserve.engine.FinishReason;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.Timings;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.Usage;

/** One REST caller per request id: a second POST of a waiting id is refused and never takes over the first one's wait. */
class AnswerWaitersTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    private static byte[] answer(String id, String text) {
        return ContractJson.write(new TrolAnswer(id, "m", text, FinishReason.STOP, null, Usage.NONE, Timings.NONE));
    }

    @Test
    void aSecondWaitForAnIdInFlightIsRefusedAndTheFirstStillGetsItsAnswer() throws Exception {
        AnswerWaiters waiters = new AnswerWaiters();
        CompletableFuture<TrolAnswer> first = waiters.await("req-1", LONG).orElseThrow();
        assertThat(waiters.pending("req-1")).isTrue();
        assertThat(waiters.await("req-1", LONG)).isEmpty();

        waiters.onAnswer(answer("req-1", "forty-two"));
        assertThat(first.get(5, TimeUnit.SECONDS).answer()).isEqualTo("forty-two");
        assertThat(waiters.pending("req-1")).as("answered: the id is free again").isFalse();
        assertThat(waiters.await("req-1", LONG)).isPresent();
    }

    @Test
    void aTimeoutFreesTheId() throws Exception {
        AnswerWaiters waiters = new AnswerWaiters();
        CompletableFuture<TrolAnswer> slow = waiters.await("req-2", Duration.ofMillis(50)).orElseThrow();
        assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(waiters.pending("req-2")).isFalse();
        assertThat(waiters.await("req-2", LONG)).isPresent();
    }

    @Test
    void aFailedSendEndsTheWaitAndFreesTheId() {
        AnswerWaiters waiters = new AnswerWaiters();
        CompletableFuture<TrolAnswer> sent = waiters.await("req-3", LONG).orElseThrow();
        waiters.fail("req-3", new IllegalStateException("broker gone"));
        assertThat(sent).isCompletedExceptionally();
        assertThat(waiters.pending("req-3")).isFalse();
    }

    @Test
    void answersForOtherIdsAndUnreadableRecordsChangeNothing() {
        AnswerWaiters waiters = new AnswerWaiters();
        Optional<CompletableFuture<TrolAnswer>> waiting = waiters.await("req-4", LONG);
        waiters.onAnswer(answer("someone-else", "x"));
        waiters.onAnswer("{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(waiting.orElseThrow()).isNotDone();
        assertThat(waiters.pending("req-4")).isTrue();
    }
}
