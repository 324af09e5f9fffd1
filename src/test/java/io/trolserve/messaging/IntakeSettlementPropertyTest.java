package io.trolserve.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import io.trolserve.engine.FinishReason;
import io.trolserve.testkit.Trials;

/**
 * Whatever arrives and whatever the broker does, every record is settled exactly once: random
 * streams of good, bad, oversized, duplicate and already-answered records, engines that finish,
 * fail or are shut down, and publishes that fail now and then.
 */
class IntakeSettlementPropertyTest {

    private static final String[] VALUES = {
        "{\"id\": \"%s\", \"question\": \"q\"}",
        "{\"id\": \"%s\", \"question\": \"reject\"}",
        "{\"id\": \"%s\", \"question\": \"explode\"}",
        "{\"id\": \"%s\", \"question\": ",
        "{\"id\": \"%s\", \"question\": \"q\", \"x\": \"" + "p".repeat(5000) + "\"}",
        "not json %s",
    };

    @Test
    void everyRecordIsSettledExactlyOnce() {
        Trials.forAll(200, random -> random.nextLong(), seed -> run(new SplittableRandom(seed)));
    }

    private static void run(SplittableRandom random) {
        IntakeFakes.Serving serving = new IntakeFakes.Serving();
        IntakeFakes.Outlet outlet = new IntakeFakes.Outlet();
        AnsweredIds answered = new AnsweredIds(10);
        answered.addAll(List.of("id-0"));
        IntakeCore core = new IntakeCore(serving, outlet, new IntakeLimits(4096, 64, Duration.ofMinutes(1), 3,
                Duration.ofMillis(1), 4096), new IntakeFakes.Observer(), answered, (d, a) -> a.run(), Clock.systemUTC());
        List<IntakeFakes.Settlement> settlements = new ArrayList<>();
        int finished = 0;
        for (int step = 0; step < 40; step++) {
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    String id = "id-" + random.nextInt(5);
                    String value = String.format(VALUES[random.nextInt(VALUES.length)], id);
                    IntakeFakes.Settlement s = new IntakeFakes.Settlement();
                    settlements.add(s);
                    core.accept(IntakeFakes.record(step, random.nextBoolean() ? id : null, value), s);
                }
                case 2 -> {
                    if (finished < serving.submitted.size()) {
                        serving.stopping = random.nextInt(5) == 0;
                        serving.finish(finished++, FinishReason.values()[random.nextInt(FinishReason.values().length)]);
                    }
                }
                default -> {
                    Throwable failure = random.nextBoolean() ? new TimeoutException("away")
                            : new RecordTooLargeException("too big");
                    (random.nextBoolean() ? outlet.answerFailures : outlet.deadLetterFailures).add(failure);
                    serving.engineClosed = random.nextInt(8) == 0;
                }
            }
        }
        while (finished < serving.submitted.size()) {
            serving.finish(finished++, FinishReason.STOP);
        }
        for (IntakeFakes.Settlement s : settlements) {
            assertThat(s.settlements()).as("settlements of one record").isEqualTo(1);
        }
        assertThat(outlet.answers.stream().filter(a -> a.record().error() == null).count())
                .as("engine answers").isLessThanOrEqualTo(serving.submitted.size());
    }
}
