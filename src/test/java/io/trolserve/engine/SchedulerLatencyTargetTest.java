package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Unit tier: how the inter-token target shapes a step, with a fixed, known cost model (so every
 * count below is exact): prompt tokens and image encodes fill what the decode rows leave of the
 * target, the token budget stays the hard cap, nothing decoding means the full budget.
 */
class SchedulerLatencyTargetTest {

    private static final long MS = 1_000_000;
    /** 20 ms a step, 2 ms a decode row, 4 ms a traversed row, nothing for keys, 100 ms an image. */
    private static final StepCostModel LINEAR = new StepCostModel() {
        @Override
        public long predictNanos(StepShape s) {
            return (20 + 2L * s.decodeRows() + 4L * s.traversedRows() + 100L * s.visionEncodes()) * MS;
        }

        @Override
        public void observe(StepShape shape, long nanos) {
        }
    };

    @Test
    void withNothingDecodingAStepTakesTheWholeTokenBudget() {
        SchedulerRig rig = new SchedulerRig(Duration.ofMillis(100), LINEAR, 4096, 32);
        for (int i = 0; i < 8; i++) {
            rig.submit(SchedulerRig.request("r" + i, 400, 8));   // 464 prompt tokens each
        }

        StepPlan plan = rig.scheduler.schedule();

        assertThat(plan.tokenCost()).isEqualTo(4096);
        assertThat(plan.predictedNanos()).isGreaterThan(100 * MS);   // far over the target: nobody waits for a token
    }

    @Test
    void whileRequestsDecodePromptTokensFillWhatTheTargetLeaves() {
        SchedulerRig rig = tenDecoding(Duration.ofMillis(400), 4096);
        rig.submit(SchedulerRig.request("new", 400, 8));

        StepPlan plan = rig.scheduler.schedule();

        // 20 + 10 decode rows * 2 = 40 ms reserved; the image 100 ms; (400 - 140) / 4 = 65 prompt tokens
        assertThat(plan.chunks()).hasSize(11);
        StepPlan.Chunk prompt = plan.chunks().get(10);
        assertThat(prompt.request().id()).isEqualTo("new");
        assertThat(prompt.numTokens()).isEqualTo(65);
        assertThat(plan.predictedNanos()).isEqualTo(400 * MS);
    }

    @Test
    void anImageThatDoesNotFitKeepsItsRequestWaitingOnceAPromptHasProgressed() {
        SchedulerRig rig = tenDecoding(Duration.ofMillis(200), 4096);
        rig.submit(SchedulerRig.request("first", 400, 8));
        rig.submit(SchedulerRig.request("second", 400, 8));

        StepPlan plan = rig.scheduler.schedule();

        // 40 ms reserved + the first image 100 ms = 140 ms; 15 tokens = 60 ms more; the second image (100 ms) cannot fit
        assertThat(plan.chunks()).extracting(c -> c.request().id()).endsWith("first").doesNotContain("second");
        assertThat(plan.chunks().get(10).numTokens()).isEqualTo(16);   // 15 fit, the progress floor gives 16
        assertThat(rig.scheduler.waiting()).extracting(Request::id).containsExactly("second");
    }

    @Test
    void whenDecodeRowsAloneFillTheTargetThePromptStillGetsItsMinimumChunk() {
        SchedulerRig rig = tenDecoding(Duration.ofMillis(30), 4096);
        rig.submit(SchedulerRig.request("a", 400, 8));
        rig.submit(SchedulerRig.request("b", 400, 8));

        StepPlan plan = rig.scheduler.schedule();

        assertThat(plan.chunks()).extracting(c -> c.request().id()).endsWith("a").doesNotContain("b");
        assertThat(plan.chunks().get(10).numTokens()).isEqualTo(StepBudget.MIN_PROMPT_TOKENS);
    }

    @Test
    void whenDecodeRowsAloneExceedTheTargetThePromptGetsAQuarterOfIt() {
        boolean[] priced = {false};   // free while the 200 decoders are set up, so that none finishes first
        StepCostModel lateLinear = new StepCostModel() {
            @Override
            public long predictNanos(StepShape s) {
                return priced[0] ? LINEAR.predictNanos(s) : 0;
            }

            @Override
            public void observe(StepShape shape, long nanos) {
            }
        };
        SchedulerRig rig = new SchedulerRig(Duration.ofMillis(400), lateLinear, 4096, 256);
        for (int i = 0; i < 200; i++) {
            rig.submit(SchedulerRig.request("d" + i, 40, 50));
        }
        rig.runUntilAllDecode();
        priced[0] = true;
        rig.encoded.add("new");   // its image is cached: only its tokens cost
        rig.submit(SchedulerRig.request("new", 400, 8));

        StepPlan plan = rig.scheduler.schedule();

        // 20 + 200 * 2 = 420 ms of decode rows, over the target; a quarter of it, 100 ms, buys 25 prompt tokens
        assertThat(plan.chunks()).hasSize(201);
        assertThat(plan.chunks().get(200).numTokens()).isEqualTo(25);
        assertThat(plan.predictedNanos()).isEqualTo(520 * MS);
    }

    @Test
    void theTokenBudgetStaysTheHardCapWhateverTheTarget() {
        SchedulerRig rig = tenDecoding(Duration.ofHours(1), 256);
        rig.submit(SchedulerRig.request("new", 400, 8));

        StepPlan plan = rig.scheduler.schedule();

        assertThat(plan.tokenCost()).isEqualTo(256);
        assertThat(plan.chunks().get(10).numTokens()).isEqualTo((256 - 10) / 2);
    }

    @Test
    void withoutATargetDecodingDoesNotLimitPrompts() {
        SchedulerRig rig = tenDecoding(Duration.ZERO, 4096);
        for (int i = 0; i < 6; i++) {
            rig.submit(SchedulerRig.request("new" + i, 400, 8));
        }

        StepPlan plan = rig.scheduler.schedule();

        assertThat(plan.tokenCost()).isEqualTo(10 + 2 * 464 * 4 + 2 * ((4096 - 10 - 2 * 464 * 4) / 2));
    }

    /** Ten requests past their prompts (100 text tokens and an image each), so the next step is theirs plus what fits. */
    private static SchedulerRig tenDecoding(Duration target, int maxBatchTokens) {
        SchedulerRig rig = new SchedulerRig(target, LINEAR, maxBatchTokens, 32);
        for (int i = 0; i < 10; i++) {
            rig.submit(SchedulerRig.request("d" + i, 100, 50));
        }
        rig.runUntilAllDecode();
        return rig;
    }
}
