package io.trolserve.messaging;

import static io.trolserve.messaging.IntakeFakes.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import io.trolserve.engine.FinishReason;

/** The intake's decisions, record by record, with fakes for the engine, the broker and the clock. */
class IntakeCoreTest {

    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final IntakeLimits LIMITS = new IntakeLimits(64 * 1024, 1024, Duration.ofMinutes(10), 4,
            Duration.ofMillis(100), 16 * 1024);

    final IntakeFakes.Serving serving = new IntakeFakes.Serving();
    final IntakeFakes.Outlet outlet = new IntakeFakes.Outlet();
    final IntakeFakes.Observer observer = new IntakeFakes.Observer();
    final AnsweredIds answered = new AnsweredIds(100);
    final List<Duration> waits = new ArrayList<>();
    final IntakeCore core = new IntakeCore(serving, outlet, LIMITS, observer, answered,
            (delay, action) -> {
                waits.add(delay);
                action.run();
            }, Clock.fixed(NOW, ZoneOffset.UTC));

    IntakeFakes.Settlement accept(IncomingRecord record) {
        IntakeFakes.Settlement s = new IntakeFakes.Settlement();
        core.accept(record, s);
        return s;
    }

    @Test
    void aGoodRequestIsAnsweredWithItsAttemptThenAcknowledged() {
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"r1\", \"question\": \"q\"}",
                List.of(new RecordHeader("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8)))));
        assertThat(serving.submitted).hasSize(1);
        assertThat(s.settlements()).as("not before its answer").isZero();

        serving.finish(0, FinishReason.STOP);

        assertThat(s.acknowledged).isEqualTo(1);
        TrolAnswerAssert.one(outlet).satisfies(a -> {
            assertThat(a.record().id()).isEqualTo("r1");
            assertThat(a.record().attempt()).isEqualTo(NOW.toEpochMilli());
            assertThat(a.record().warnings()).isNull();
            assertThat(a.headers()).extracting(Header::key).containsExactly("traceparent");
        });
        assertThat(outlet.tokens).singleElement().satisfies(t -> {
            assertThat(t.record().attempt()).isEqualTo(NOW.toEpochMilli());
            assertThat(t.headers()).extracting(Header::key).containsExactly("traceparent");
        });
        assertThat(outlet.deadLetters).isEmpty();
    }

    @Test
    void malformedJsonIsDeadLetteredAndTheKeyAnswered() {
        IntakeFakes.Settlement s = accept(record(5, "k1", "{\"question\": "));
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(outlet.deadLetters).singleElement().satisfies(d -> {
            assertThat(outlet.header(d, RecordHeaders.ERROR_CODE)).isEqualTo("malformed-json");
            assertThat(outlet.header(d, RecordHeaders.SOURCE_OFFSET)).isEqualTo("5");
            assertThat(new String(d.value(), StandardCharsets.UTF_8)).isEqualTo("{\"question\": ");
        });
        TrolAnswerAssert.one(outlet).satisfies(a -> {
            assertThat(a.record().id()).isEqualTo("k1");
            assertThat(a.record().error().code()).isEqualTo("malformed-json");
        });
        assertThat(observer.deadLettered).containsExactly("malformed-json");
        assertThat(serving.submitted).isEmpty();
    }

    @Test
    void aRefusalAfterTheIdAnswersTheIdNotTheKey() {
        accept(record(0, "routing-key", "{\"id\": \"r2\", \"question\": 5}"));
        TrolAnswerAssert.one(outlet).satisfies(a -> assertThat(a.record().id()).isEqualTo("r2"));
    }

    @Test
    void aHugeIdIsDeadLetteredWithoutAnAnswer() {
        IntakeFakes.Settlement s = accept(record(0, null, "{\"id\": \"" + "i".repeat(100_00) + "\", \"question\": \"q\"}"));
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(outlet.deadLetters).singleElement()
                .satisfies(d -> assertThat(outlet.header(d, RecordHeaders.ERROR_CODE)).isEqualTo("invalid-id"));
        assertThat(outlet.answers).isEmpty();
    }

    @Test
    void aRecordOverTheSizeLimitIsRefusedAtTheDoor() {
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"question\": \"" + "q".repeat(70_000) + "\"}"));
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(outlet.deadLetters).singleElement().satisfies(d -> {
            assertThat(outlet.header(d, RecordHeaders.ERROR_CODE)).isEqualTo(IntakeCore.RECORD_TOO_LARGE);
            assertThat(d.sizeBytes()).as("cut to the dead-letter limit").isLessThanOrEqualTo(LIMITS.maxDeadLetterBytes());
            assertThat(outlet.header(d, RecordHeaders.TRUNCATED)).isEqualTo("70016");
        });
        assertThat(serving.submitted).isEmpty();
    }

    @Test
    void aRejectedPreparationIsDeadLetteredAndAnswered() {
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"r3\", \"question\": \"reject me\"}"));
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(observer.deadLettered).containsExactly("corrupt-image");
        TrolAnswerAssert.one(outlet).satisfies(a -> assertThat(a.record().error().code()).isEqualTo("corrupt-image"));
    }

    @Test
    void aBugInPreparationStillEndsWithACode() {
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"r4\", \"question\": \"explode\"}"));
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(observer.deadLettered).containsExactly(IntakeCore.INTAKE_FAILURE);
        TrolAnswerAssert.one(outlet).satisfies(a -> assertThat(a.record().id()).isEqualTo("r4"));
        // and the id is free again: a fixed redelivery would run
        accept(record(1, "k", "{\"id\": \"r4\", \"question\": \"fine now\"}"));
        assertThat(serving.submitted).hasSize(1);
    }

    @Test
    void theSameIdWhileRunningIsNotRunAgainAndSettlesWithTheFirst() {
        IntakeFakes.Settlement first = accept(record(0, "k", "{\"id\": \"dup\", \"question\": \"q\"}"));
        IntakeFakes.Settlement second = accept(record(1, "k", "{\"id\": \"dup\", \"question\": \"q\"}"));
        assertThat(serving.submitted).hasSize(1);
        assertThat(second.settlements()).isZero();
        assertThat(observer.skipped).containsExactly(IntakeObserver.Skip.IN_FLIGHT);

        serving.finish(0, FinishReason.STOP);

        assertThat(first.acknowledged).isEqualTo(1);
        assertThat(second.acknowledged).isEqualTo(1);
        assertThat(outlet.answers).as("one answer, never an error for the second").hasSize(1);
        accept(record(2, "k", "{\"id\": \"dup\", \"question\": \"q\"}"));
        assertThat(serving.submitted).as("once finished, the id runs again").hasSize(2);
    }

    @Test
    void aDuplicateOfARequestLeftForRedeliveryIsLeftToo() {
        IntakeFakes.Settlement first = accept(record(0, "k", "{\"id\": \"dup\", \"question\": \"q\"}"));
        IntakeFakes.Settlement second = accept(record(1, "k", "{\"id\": \"dup\", \"question\": \"q\"}"));
        serving.stopping = true;
        serving.finish(0, FinishReason.CANCELLED);
        assertThat(first.leftUncommitted).isEqualTo(1);
        assertThat(second.leftUncommitted).isEqualTo(1);
        assertThat(outlet.answers).isEmpty();
    }

    @Test
    void anAlreadyAnsweredIdIsCommittedWithoutRunning() {
        answered.addAll(List.of("done-1"));
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"done-1\", \"question\": \"q\"}"));
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(serving.submitted).isEmpty();
        assertThat(outlet.answers).isEmpty();
        assertThat(observer.skipped).containsExactly(IntakeObserver.Skip.ALREADY_ANSWERED);
    }

    @Test
    void aClosedEngineLeavesTheRecordForRedelivery() {
        serving.engineClosed = true;
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"r5\", \"question\": \"q\"}"));
        assertThat(s.leftUncommitted).isEqualTo(1);
        assertThat(s.acknowledged).isZero();
        assertThat(outlet.answers).isEmpty();
        assertThat(outlet.deadLetters).isEmpty();
    }

    @Test
    void anEngineErrorIsAnsweredNotRetried() {
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"r6\", \"question\": \"q\"}"));
        serving.finish(0, FinishReason.ERROR);
        assertThat(s.acknowledged).isEqualTo(1);
        TrolAnswerAssert.one(outlet).satisfies(a -> assertThat(a.record().finishReason()).isEqualTo("error"));
    }

    @Test
    void aFailedAnswerIsRetriedWithBackoff() {
        outlet.answerFailures.add(new TimeoutException("broker away"));
        outlet.answerFailures.add(new TimeoutException("broker away"));
        IntakeFakes.Settlement s = accept(record(0, "k", "{\"id\": \"r7\", \"question\": \"q\"}"));
        serving.finish(0, FinishReason.STOP);
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(outlet.answerCalls).isEqualTo(3);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void anAnswerThatNeverGetsThroughDeadLettersItsRequest() {
        for (int i = 0; i < LIMITS.publishAttempts(); i++) {
            outlet.answerFailures.add(new TimeoutException("broker away"));
        }
        IntakeFakes.Settlement s = accept(record(3, "k", "{\"id\": \"r8\", \"question\": \"q\"}"));
        serving.finish(0, FinishReason.STOP);
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(outlet.answerCalls).isEqualTo(LIMITS.publishAttempts());
        assertThat(observer.deadLettered).containsExactly(IntakeCore.ANSWER_NOT_PUBLISHED);
    }

    @Test
    void whenNothingCanBePublishedTheRecordStaysUncommitted() {
        for (int i = 0; i < LIMITS.publishAttempts(); i++) {
            outlet.answerFailures.add(new TimeoutException("broker away"));
            outlet.deadLetterFailures.add(new TimeoutException("broker away"));
        }
        IntakeFakes.Settlement s = accept(record(3, "k", "{\"id\": \"r9\", \"question\": \"q\"}"));
        serving.finish(0, FinishReason.STOP);
        assertThat(s.leftUncommitted).isEqualTo(1);
        assertThat(s.acknowledged).isZero();
    }

    @Test
    void aDeadLetterTheBrokerFindsTooLargeIsCutUntilItFits() {
        outlet.deadLetterFailures.add(new RecordTooLargeException("over message.max.bytes"));
        outlet.deadLetterFailures.add(new RecordTooLargeException("over message.max.bytes"));
        IntakeCore big = new IntakeCore(serving, outlet, new IntakeLimits(1 << 30, 1024, Duration.ofMinutes(10), 4,
                Duration.ofMillis(100), 16 << 20), observer, answered, (d, a) -> a.run(), Clock.systemUTC());
        IntakeFakes.Settlement s = new IntakeFakes.Settlement();
        big.accept(record(0, "k", "x".repeat(600_000)), s);
        assertThat(s.acknowledged).isEqualTo(1);
        assertThat(outlet.deadLetterCalls).as("full, 256 KiB, then 16 KiB; a too-large letter is not retried as is")
                .isEqualTo(3);
        assertThat(outlet.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.sizeBytes()).isLessThanOrEqualTo(16 * 1024);
            assertThat(outlet.header(d, RecordHeaders.TRUNCATED)).isEqualTo("600000");
            assertThat(outlet.header(d, RecordHeaders.ERROR_CODE)).isEqualTo("malformed-json");
        });
    }

    @Test
    void headersOverTheBudgetAreNotCarriedAndTheAnswerSaysSo() {
        List<Header> headers = List.of(new RecordHeader("big", new byte[2000]), new RecordHeader("traceparent", new byte[10]));
        accept(record(0, "k", "{\"id\": \"r10\", \"question\": \"q\"}", headers));
        serving.finish(0, FinishReason.STOP);
        TrolAnswerAssert.one(outlet).satisfies(a -> {
            assertThat(a.headers()).isEmpty();
            assertThat(a.record().warnings()).singleElement().asString().startsWith(RecordHeaders.HEADERS_NOT_CARRIED);
        });
        assertThat(outlet.tokens).allSatisfy(t -> assertThat(t.headers()).isEmpty());
    }

    @Test
    void noRequestRunsLongerThanTheBoundWhateverItsDeadline() {
        accept(record(0, "k", "{\"id\": \"r11\", \"question\": \"q\"}"));
        accept(record(1, "k", "{\"id\": \"r12\", \"question\": \"q\", \"deadline\": \"2030-01-01T00:00:00Z\"}"));
        accept(record(2, "k", "{\"id\": \"r13\", \"question\": \"q\", \"deadline\": \"2026-12-06T10:01:00Z\"}"));
        assertThat(serving.submitted).extracting(r -> r.deadline()).containsExactly(NOW.plus(LIMITS.maxRequestTime()),
                NOW.plus(LIMITS.maxRequestTime()), Instant.parse("2026-12-06T10:01:00Z"));
    }

    @Test
    void unknownFieldsRunAndAreReported() {
        accept(record(0, "k", "{\"id\": \"r14\", \"question\": \"q\", \"priority\": \"high\"}"));
        assertThat(serving.submitted).hasSize(1);
        assertThat(serving.unknownFields).containsExactly("priority");
    }

    /** A little AssertJ shorthand: the single answer published. */
    static final class TrolAnswerAssert {
        static org.assertj.core.api.ObjectAssert<IntakeFakes.Outlet.Sent<io.trolserve.messaging.contract.TrolAnswer>> one(
                IntakeFakes.Outlet outlet) {
            assertThat(outlet.answers).hasSize(1);
            return assertThat(outlet.answers.get(0));
        }
    }
}
