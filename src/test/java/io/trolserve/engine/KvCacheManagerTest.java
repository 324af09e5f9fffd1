package io.trolserve.engine;

import static io.trolserve.engine.SchedulerRig.chunks;
import static io.trolserve.engine.SchedulerRig.imageRequest;
import static io.trolserve.engine.SchedulerRig.textRequest;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.trolserve.engine.kv.BlockManager;

/**
 * Unit tier, vLLM style: the KV manager's block tables as the real scheduler drives them, on fake
 * requests (no model, no tensors, no libtorch), with exact block ids and reference counts. A fresh
 * pool hands out its lowest ids first, and a released table joins the free queue tail first
 * ({@link BlockManager}).
 */
class KvCacheManagerTest {

    /** 4-token blocks, no latency target, chunks and budget large enough for every prompt here. */
    private static EngineConfig tiny(int blocks, boolean prefixCache) {
        return EngineConfig.defaults(blocks).withKv(4, blocks, prefixCache);
    }

    @Test
    void aTraversedPromptHoldsBlocksForBothPassesUntilItIsComputed() {
        SchedulerRig rig = new SchedulerRig(tiny(16, false));
        Request r = rig.submit(textRequest("r", 10, 5));

        StepPlan prefill = rig.scheduler.schedule();

        assertThat(chunks(prefill)).containsExactly("r[0,10) traversed samples");
        assertThat(r.scheduling.pass1().ids()).containsExactly(0, 1, 2);
        assertThat(r.scheduling.pass2().ids()).containsExactly(3, 4, 5);

        rig.advance(prefill);   // the prompt is computed: the temporary pass-2 store goes (free: 6..15, 5, 4, 3)

        assertThat(r.scheduling.pass2().isEmpty()).isTrue();
        assertThat(rig.kv.blocks().numFreeBlocks()).isEqualTo(13);
        for (int pass2 : new int[] {3, 4, 5}) {
            assertThat(rig.kv.blocks().refCount(pass2)).isZero();
        }

        rig.step();   // position 10
        rig.step();   // 11
        assertThat(r.scheduling.pass1().ids()).containsExactly(0, 1, 2);
        rig.step();   // 12: a fourth block, pass 1 only
        assertThat(r.scheduling.pass1().ids()).containsExactly(0, 1, 2, 6);
        assertThat(r.scheduling.pass2().isEmpty()).isTrue();

        rig.step();   // its fifth and last output: finished, every block back
        assertThat(rig.finished).containsExactly(r);
        assertThat(r.scheduling.holdsBlocks()).isFalse();
        assertThat(rig.kv.blocks().numFreeBlocks()).isEqualTo(16);
    }

    @Test
    void aOneTokenPromptTakesPass1BlocksOnly() {
        SchedulerRig rig = new SchedulerRig(tiny(16, false));
        Request r = rig.submit(textRequest("r", 1, 2));

        rig.scheduler.schedule();

        assertThat(r.scheduling.pass1().ids()).containsExactly(0);
        assertThat(r.scheduling.pass2().isEmpty()).isTrue();
        assertThat(rig.kv.blocks().numFreeBlocks()).isEqualTo(15);
    }

    @Test
    void theMostBlocksARequestCanHoldCountBothPassesOfATraversedPrompt() {
        KvCacheManager kv = new SchedulerRig(tiny(16, false)).kv;

        assertThat(kv.peakBlocks(textRequest("prompt-bound", 10, 2))).isEqualTo(2 * 3);   // 12 positions: 3 blocks
        assertThat(kv.peakBlocks(textRequest("output-bound", 10, 20))).isEqualTo(8);      // 30 positions
        assertThat(kv.peakBlocks(textRequest("one-token", 1, 2))).isEqualTo(1);
    }

    @Test
    void twoRequestsWithTheSamePromptShareItsFullBlocksInBothPasses() {
        SchedulerRig rig = new SchedulerRig(tiny(16, true));
        BlockManager blocks = rig.kv.blocks();
        Request first = rig.submit(textRequest("first", 10, 4));
        rig.step();   // registers blocks 0, 1 (pass 1) and 3, 4 (pass 2); 3 and 4 stay cached once released
        Request second = rig.submit(textRequest("second", 10, 4));

        StepPlan plan = rig.scheduler.schedule();

        // two full blocks of the ten-token prompt are shared; the last, partly filled one is computed again
        assertThat(chunks(plan)).containsExactly("first[10,11) samples", "second[8,10) traversed samples");
        assertThat(plan.tokenCost()).isEqualTo(1 + 2 * 2);
        assertThat(second.scheduling.pass1().ids()).containsExactly(0, 1, 6);
        assertThat(second.scheduling.pass2().ids()).containsExactly(3, 4, 7);
        assertThat(first.scheduling.pass1().ids()).containsExactly(0, 1, 2);
        assertThat(new int[] {blocks.refCount(0), blocks.refCount(1), blocks.refCount(2), blocks.refCount(3),
                blocks.refCount(4), blocks.refCount(5), blocks.refCount(6), blocks.refCount(7)})
                .containsExactly(2, 2, 1, 1, 1, 0, 1, 1);
        assertThat(rig.kv.prefixHitTokens()).isEqualTo(8);

        rig.advance(plan);
        while (rig.finished.size() < 2) {
            rig.step();
        }

        assertThat(blocks.numFreeBlocks()).isEqualTo(16);
        assertThat(blocks.numCachedBlocks()).isEqualTo(4);   // the shared prefix stays findable until evicted
        assertThat(blocks.refCount(0)).isZero();
    }

    @Test
    void requestsShareAPrefixOnlyWithTheSameImage() {
        // 16-token blocks; 72-token prompts: 4 text tokens, an image's 64 tokens, 4 text tokens; 4 full blocks a pass
        SchedulerRig rig = new SchedulerRig(EngineConfig.defaults(32).withKv(16, 32, true));
        rig.submit(imageRequest("cat-1", 8, "sha256:cat", 4));
        rig.step();   // pass 1 in 0..4, pass 2 in 5..9; 0..3 and 5..8 registered
        Request sameImage = rig.submit(imageRequest("cat-2", 8, "sha256:cat", 4));
        Request otherImage = rig.submit(imageRequest("dog", 8, "sha256:dog", 4));

        StepPlan plan = rig.scheduler.schedule();

        assertThat(chunks(plan)).containsExactly("cat-1[72,73) samples", "cat-2[64,72) traversed samples",
                "dog[0,72) traversed samples");
        assertThat(sameImage.scheduling.pass1().ids()).containsExactly(0, 1, 2, 3, 10);
        assertThat(sameImage.scheduling.pass2().ids()).containsExactly(5, 6, 7, 8, 11);
        assertThat(otherImage.scheduling.pass1().ids()).containsExactly(12, 13, 14, 15, 16);
        assertThat(otherImage.scheduling.pass2().ids()).containsExactly(17, 18, 19, 20, 21);
        assertThat(rig.kv.blocks().refCount(0)).isEqualTo(2);
        assertThat(rig.kv.blocks().refCount(5)).isEqualTo(1);
        assertThat(rig.kv.prefixHitTokens()).isEqualTo(64);
    }

    @Test
    void releasingARequestTwiceFreesItsBlocksOnce() {
        SchedulerRig rig = new SchedulerRig(tiny(16, false));
        Request r = rig.submit(textRequest("r", 10, 4));
        rig.scheduler.schedule();

        rig.kv.releaseAll(r);
        rig.kv.releaseAll(r);   // its tables are empty now: nothing is given back twice

        assertThat(r.scheduling.holdsBlocks()).isFalse();
        assertThat(rig.kv.blocks().numFreeBlocks()).isEqualTo(16);
        rig.kv.blocks().checkInvariants();
    }
}
