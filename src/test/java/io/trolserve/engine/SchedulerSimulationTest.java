package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

/**
 * Unit tier, on a fake clock: the real scheduler and the real fitted cost model run a stream of
 * requests on a made-up machine whose step time is known, noisy and unknown to the model. Each
 * step advances the clock by what the machine says it took, and the model learns only from that.
 * The streams' inter-token gaps must then keep to the target, and every request must finish; the
 * same run without a target shows the stalls the target removes.
 */
class SchedulerSimulationTest {

    private static final Duration TARGET = Duration.ofMillis(300);

    /** Cost of a step on the made-up machine, in ns: like the medium model on 2 CPU cores. */
    record Machine(double fixed, double perDecodeRow, double perTraversedRow, double perThousandKeys, double perEncode,
                   double noise) {

        long time(StepShape s, SplittableRandom random) {
            double t = fixed + perDecodeRow * s.decodeRows() + perTraversedRow * s.traversedRows()
                    + perThousandKeys * s.attentionKeys() / 1000.0 + perEncode * s.visionEncodes();
            return Math.round(t * (1 + noise * (2 * random.nextDouble() - 1)));
        }

        static Machine draw(SplittableRandom r) {
            return new Machine(ms(r, 40, 90), ms(r, 1, 4), ms(r, 3, 6), ms(r, 0.001, 0.01), ms(r, 20, 120), 0.1);
        }

        private static double ms(SplittableRandom r, double lo, double hi) {
            return 1e6 * (lo + (hi - lo) * r.nextDouble());
        }
    }

    record Run(List<Long> gaps, int finished, int requests) {

        long gapAt(double q) {
            List<Long> sorted = new ArrayList<>(gaps);
            Collections.sort(sorted);
            return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
        }
    }

    @Test
    void streamsWaitAboutTheTargetForTheirNextTokenAndEveryRequestFinishes() {
        Trials.forAll(5, Machine::draw, machine -> {
            Run run = simulate(machine, TARGET, 60);

            assertThat(run.finished()).isEqualTo(run.requests());
            assertThat(run.gapAt(0.99)).as("ITL p99, ns").isLessThanOrEqualTo(TARGET.toNanos() * 3 / 2);
            assertThat(run.gapAt(0.50)).as("ITL p50, ns").isLessThanOrEqualTo(TARGET.toNanos());
        });
    }

    @Test
    void withoutTheTargetTheSameRunStallsItsStreams() {
        Machine machine = new Machine(60e6, 3e6, 5e6, 0.005e6, 60e6, 0.1);

        Run run = simulate(machine, Duration.ZERO, 60);

        assertThat(run.finished()).isEqualTo(run.requests());
        assertThat(run.gapAt(0.99)).isGreaterThan(3 * TARGET.toNanos());
    }

    /** Poisson arrivals at 2 a second, prompts of 330 tokens with one image, outputs of 8..256 tokens. */
    private static Run simulate(Machine machine, Duration target, int requests) {
        SplittableRandom random = new SplittableRandom(Double.doubleToLongBits(machine.fixed()));
        FittedStepCost model = new FittedStepCost();
        SchedulerRig rig = new SchedulerRig(target, model, 4096, 64);
        List<Request> pending = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < requests; i++) {
            pending.add(SchedulerRig.request("r" + i, 330 - SchedulerRig.IMAGE_TOKENS, random.nextInt(8, 257)));
            arrivals.add((long) (t * 1e9));
            t += -Math.log(1 - random.nextDouble()) / 2.0;
        }
        Map<Request, Long> lastToken = new HashMap<>();
        List<Long> gaps = new ArrayList<>();
        long clock = 0;
        int submitted = 0;
        while (rig.finished.size() < requests) {
            while (submitted < requests && arrivals.get(submitted) <= clock) {
                rig.submit(pending.get(submitted++));
            }
            if (!rig.scheduler.hasWork()) {
                clock = arrivals.get(submitted);
                continue;
            }
            StepPlan plan = rig.scheduler.schedule();
            StepShape ran = plan.shape().plus(StepShape.encodes(encodes(plan, rig)));
            long took = machine.time(ran, random);
            clock += took;
            model.observe(ran, took);
            for (Request r : rig.advance(plan)) {
                Long last = lastToken.put(r, clock);
                if (last != null) {
                    gaps.add(clock - last);
                }
            }
        }
        return new Run(gaps, rig.finished.size(), requests);
    }

    private static int encodes(StepPlan plan, SchedulerRig rig) {
        int n = 0;
        for (StepPlan.Chunk c : plan.chunks()) {
            n += rig.encoded.contains(c.request().id()) ? 0 : c.request().input.images().size();
        }
        return n;
    }
}
