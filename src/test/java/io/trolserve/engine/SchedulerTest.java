package io.trolserve.engine;

import static io.trolserve.engine.SchedulerRig.chunks;
import static io.trolserve.engine.SchedulerRig.textRequest;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Unit tier, vLLM style: the real scheduler and KV manager on fake requests (no model, no tensors,
 * no libtorch), tiny pools of 4-token blocks, and exact expectations: which tokens of which request
 * each step computes, what the step costs, which blocks a request holds, which one is preempted.
 * Chunks read {@code id[start,end)}; see {@link SchedulerRig#chunks}.
 */
class SchedulerTest {

    /** 4-token blocks, no prefix cache, no latency target, 32 running at most. */
    private static EngineConfig tiny(int blocks, int chunkTokens, int batchTokens) {
        return EngineConfig.defaults(blocks).withKv(4, blocks, false).withPrefill(chunkTokens, batchTokens);
    }

    @Test
    void aTraversedPromptChunkCountsTwiceAgainstTheTokenBudgetAndAnOutputOnce() {
        SchedulerRig rig = new SchedulerRig(tiny(16, 512, 10));
        rig.submit(textRequest("r", 7, 4));

        StepPlan first = rig.step();
        StepPlan second = rig.step();
        StepPlan third = rig.step();

        assertThat(chunks(first)).containsExactly("r[0,5) traversed");   // 10 tokens of budget pay for 5 prompt tokens
        assertThat(first.tokenCost()).isEqualTo(10);
        assertThat(chunks(second)).containsExactly("r[5,7) traversed samples");
        assertThat(second.tokenCost()).isEqualTo(4);
        assertThat(chunks(third)).containsExactly("r[7,8) samples");
        assertThat(third.tokenCost()).isEqualTo(1);
    }

    @Test
    void aOneTokenPromptIsNotTraversed() {
        // a budget of 3: two one-token prompts at 1 each; the first token of a two-token prompt would cost 2
        SchedulerRig rig = new SchedulerRig(tiny(16, 512, 3));
        rig.submit(textRequest("x", 1, 2));
        rig.submit(textRequest("y", 1, 2));
        rig.submit(textRequest("z", 2, 2));

        StepPlan plan = rig.step();

        assertThat(chunks(plan)).containsExactly("x[0,1) samples", "y[0,1) samples");
        assertThat(plan.tokenCost()).isEqualTo(2);
        assertThat(rig.scheduler.waiting()).extracting(Request::id).containsExactly("z");
    }

    @Test
    void everyChunkOfATraversedPromptIsTraversedEvenAOneTokenChunk() {
        SchedulerRig rig = new SchedulerRig(tiny(16, 1, 64));
        rig.submit(textRequest("r", 3, 2));

        assertThat(chunks(rig.step())).containsExactly("r[0,1) traversed");
        assertThat(chunks(rig.step())).containsExactly("r[1,2) traversed");
        StepPlan last = rig.step();
        assertThat(chunks(last)).containsExactly("r[2,3) traversed samples");
        assertThat(last.tokenCost()).isEqualTo(2);
        assertThat(chunks(rig.step())).containsExactly("r[3,4) samples");
    }

    @Test
    void promptsAreSplitAtTheChunkSizeAndAtWhatTheTokenBudgetLeaves() {
        // chunks of at most 8 prompt tokens; 20 tokens of budget a step, a prompt token costing 2
        SchedulerRig rig = new SchedulerRig(tiny(64, 8, 20));
        rig.submit(textRequest("a", 20, 4));
        rig.submit(textRequest("b", 20, 4));

        StepPlan[] steps = {rig.step(), rig.step(), rig.step(), rig.step(), rig.step()};

        assertThat(chunks(steps[0])).containsExactly("a[0,8) traversed", "b[0,2) traversed");         // 16 + 4
        assertThat(chunks(steps[1])).containsExactly("a[8,16) traversed", "b[2,4) traversed");        // 16 + 4
        assertThat(chunks(steps[2])).containsExactly("a[16,20) traversed samples", "b[4,10) traversed"); // 8 + 12
        assertThat(chunks(steps[3])).containsExactly("a[20,21) samples", "b[10,18) traversed");       // 1 + 16: chunk size
        assertThat(chunks(steps[4])).containsExactly("a[21,22) samples", "b[18,20) traversed samples"); // 1 + 4
        assertThat(steps).extracting(StepPlan::tokenCost).containsExactly(20, 20, 20, 17, 5);
    }

    @Test
    void theNewestRunningRequestIsPreemptedFreesItsBlocksOnceAndLaterResumesFromTheStart() {
        // 8 blocks of 4: two requests of 6 prompt tokens, 16 outputs each, fill the pool by their 8th token
        SchedulerRig rig = new SchedulerRig(tiny(8, 512, 4096));
        Request a = rig.submit(textRequest("a", 6, 16));
        Request b = rig.submit(textRequest("b", 6, 16));
        for (int i = 0; i < 11; i++) {
            assertThat(rig.step().preempted()).isEmpty();
        }
        assertThat(a.scheduling.pass1().ids()).containsExactly(0, 1, 3, 7);
        assertThat(b.scheduling.pass1().ids()).containsExactly(4, 5, 2, 6);
        assertThat(rig.kv.blocks().numFreeBlocks()).isZero();

        StepPlan full = rig.step();   // a's 17th position needs a fifth block: b goes, its last block 6 goes to a

        assertThat(full.preempted()).containsExactly(b);
        assertThat(chunks(full)).containsExactly("a[16,17) samples");
        assertThat(b.scheduling.state()).isEqualTo(RequestState.PREEMPTED);
        assertThat(b.scheduling.numComputed()).isZero();
        assertThat(b.scheduling.holdsBlocks()).isFalse();
        assertThat(b.numOutputs()).isEqualTo(11);   // its tokens stay; their K/V are recomputed
        assertThat(rig.scheduler.waiting()).containsExactly(b);
        assertThat(a.scheduling.pass1().ids()).containsExactly(0, 1, 3, 7, 6);
        assertThat(rig.kv.blocks().numFreeBlocks()).isEqualTo(3);
        for (int freed : new int[] {4, 5, 2}) {
            assertThat(rig.kv.blocks().refCount(freed)).isZero();
        }

        for (int i = 0; i < 4; i++) {
            assertThat(chunks(rig.step())).as("b waits: its prompt needs 4 blocks").singleElement()
                    .asString().startsWith("a[");
        }
        assertThat(rig.finished).containsExactly(a);
        assertThat(rig.kv.blocks().numFreeBlocks()).isEqualTo(8);

        StepPlan resumed = rig.step();
        assertThat(chunks(resumed)).containsExactly("b[0,6) traversed");
        assertThat(b.scheduling.state()).isEqualTo(RequestState.RUNNING);
        assertThat(chunks(rig.step())).containsExactly("b[6,17) samples");   // its 11 outputs at once: one pass each
        assertThat(b.numOutputs()).isEqualTo(12);
    }

    @Test
    void aPreemptedRequestIsAdmittedAgainBeforeAnyRequestThatArrivedAfterIt() {
        SchedulerRig rig = new SchedulerRig(tiny(8, 512, 4096));
        rig.submit(textRequest("a", 6, 16));
        Request b = rig.submit(textRequest("b", 6, 16));
        for (int i = 0; i < 12; i++) {
            rig.step();
        }
        assertThat(rig.scheduler.waiting()).containsExactly(b);

        rig.submit(textRequest("c", 2, 1));   // would fit now, but b came first

        assertThat(chunks(rig.step())).containsExactly("a[17,18) samples");
        assertThat(rig.scheduler.waiting()).extracting(Request::id).containsExactly("b", "c");
    }
}
