package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

/** Unit tier: the step cost model recovers a machine's costs from noisy step times, and never predicts nonsense. */
class FittedStepCostTest {

    /** A made-up machine: what each part of a step costs it, in nanoseconds. */
    record Machine(double fixed, double perDecodeRow, double perTraversedRow, double perThousandKeys, double perEncode) {

        long time(StepShape s, SplittableRandom random, double noise) {
            double t = fixed + perDecodeRow * s.decodeRows() + perTraversedRow * s.traversedRows()
                    + perThousandKeys * s.attentionKeys() / 1000.0 + perEncode * s.visionEncodes();
            return Math.round(t * (1 + noise * (2 * random.nextDouble() - 1)));
        }

        static Machine draw(SplittableRandom r) {
            return new Machine(ms(r, 5, 100), ms(r, 0.5, 5), ms(r, 1, 10), ms(r, 0.001, 0.05), ms(r, 5, 500));
        }

        private static double ms(SplittableRandom r, double lo, double hi) {
            return 1e6 * (lo + (hi - lo) * r.nextDouble());
        }
    }

    /** Steps as the engine runs them: decode batches, some with a prompt chunk, some with image encodes. */
    static StepShape step(SplittableRandom r) {
        StepShape shape = StepShape.EMPTY;
        int decoders = r.nextInt(0, 40);
        for (int i = 0; i < decoders; i++) {
            shape = shape.plus(StepShape.chunk(r.nextInt(50, 1500), 1, false));
        }
        if (decoders == 0 || r.nextInt(3) == 0) {
            shape = shape.plus(StepShape.chunk(r.nextInt(0, 1000), r.nextInt(1, 512), true));
            shape = shape.plus(StepShape.encodes(r.nextInt(3) == 0 ? 1 : 0));
        }
        return shape;
    }

    @Test
    void learnsTheMachineWithinAFewPercentFromNoisySteps() {
        Trials.forAll(20, Machine::draw, machine -> {
            SplittableRandom random = new SplittableRandom(machine.hashCode());
            FittedStepCost model = new FittedStepCost();
            for (int i = 0; i < 300; i++) {
                StepShape s = step(random);
                model.observe(s, machine.time(s, random, 0.05));
            }
            for (int i = 0; i < 50; i++) {
                StepShape s = step(random);
                double truth = machine.time(s, random, 0);
                // 10 %: image encodes come in about one step in nine, so a 256-step window holds some
                // 30 of them under 5 % noise. Over 2,000 drawn machines the worst miss was 7.8 %; at
                // 6 % a CI run failed (replay: -Dtrials.seed=1003123453140244477, a 7.9 % miss)
                assertThat((double) model.predictNanos(s)).as("prediction for %s", s).isCloseTo(truth, within(0.10 * truth));
            }
        });
    }

    @Test
    void predictionsNeverShrinkWhenAStepDoesMoreAndAreNeverNegative() {
        Trials.forAll(20, Machine::draw, machine -> {
            SplittableRandom random = new SplittableRandom(machine.hashCode());
            FittedStepCost model = new FittedStepCost();
            for (int i = 0; i < 40; i++) {
                StepShape s = step(random);
                model.observe(s, machine.time(s, random, 0.5));   // very noisy: the fit may be poor, never inverted
            }
            for (int i = 0; i < 50; i++) {
                StepShape s = step(random);
                long base = model.predictNanos(s);
                assertThat(base).isNotNegative();
                assertThat(model.predictNanos(s.plus(StepShape.chunk(100, 1, false)))).isGreaterThanOrEqualTo(base);
                assertThat(model.predictNanos(s.plus(StepShape.chunk(100, 64, true)))).isGreaterThanOrEqualTo(base);
                assertThat(model.predictNanos(s.plus(StepShape.encodes(1)))).isGreaterThanOrEqualTo(base);
            }
        });
    }

    @Test
    void aTraversedRowNotYetSeenCostsTwoDecodeRows() {
        FittedStepCost model = new FittedStepCost();
        for (int batch = 1; batch <= 32; batch++) {
            StepShape decode = StepShape.EMPTY;
            for (int i = 0; i < batch; i++) {
                decode = decode.plus(new StepShape(1, 0, 0, 0));
            }
            model.observe(decode, 20_000_000L + batch * 3_000_000L);   // 20 ms + 3 ms a row
        }

        // within 1 %: the fixed part's heavier ridge leans a little of it onto the rows
        assertThat(model.fit().perDecodeRow()).isCloseTo(3e6, within(3e4));
        assertThat(model.predictNanos(new StepShape(0, 100, 0, 0))).isCloseTo(20_000_000L + 600_000_000L, within(6_200_000L));
    }

    @Test
    void aModelThatHasSeenNothingPredictsNothing() {
        FittedStepCost model = new FittedStepCost();

        assertThat(model.predictNanos(StepShape.chunk(0, 512, true).plus(StepShape.encodes(2)))).isZero();
    }

    @Test
    void forgetsStepsOlderThanItsWindowSoItFollowsAMachineThatSlowsDown() {
        FittedStepCost model = new FittedStepCost();
        SplittableRandom random = new SplittableRandom(3);
        Machine fast = new Machine(10e6, 1e6, 2e6, 0.01e6, 50e6);
        Machine slow = new Machine(30e6, 3e6, 6e6, 0.03e6, 150e6);
        for (int i = 0; i < 2 * FittedStepCost.WINDOW; i++) {
            StepShape s = step(random);
            model.observe(s, fast.time(s, random, 0.02));
        }
        for (int i = 0; i < FittedStepCost.WINDOW; i++) {
            StepShape s = step(random);
            model.observe(s, slow.time(s, random, 0.02));
        }

        StepShape probe = StepShape.chunk(200, 256, true).plus(StepShape.chunk(300, 1, false));
        assertThat((double) model.predictNanos(probe)).isCloseTo(slow.time(probe, random, 0), within(0.05 * slow.time(probe, random, 0)));
    }
}
