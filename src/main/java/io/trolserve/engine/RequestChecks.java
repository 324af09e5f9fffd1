package io.trolserve.engine;

import io.trolserve.engine.kv.BlockManager;
import io.trolserve.model.TrolModel;
import io.trolserve.vision.DecodedImage;

/** What must hold of a request before it is accepted, and of the engine after every step. */
final class RequestChecks {

    private RequestChecks() {
    }

    /** Why a request can never run, or null if it can. */
    static String problem(Request r, TrolModel model, KvCacheManager kv, EngineConfig config) {
        int vocab = model.config().vocabSize();
        int imageId = model.imageTokenId();
        for (int id : r.input.promptIds()) {
            if (id < 0 || (id >= vocab && id != imageId)) {
                return "prompt token id " + id + " is outside the vocabulary [0, " + Math.max(vocab - 1, imageId) + "]";
            }
        }
        long expectedImageTokens = 0;
        for (DecodedImage image : r.input.images()) {
            expectedImageTokens += model.imagePolicy().tokens(image);   // varies by image for a tiling model
        }
        if (r.imageTokens != expectedImageTokens) {
            return "the prompt holds " + r.imageTokens + " image tokens but " + r.input.images().size()
                    + " image(s) give " + expectedImageTokens;
        }
        int length = r.promptLength() + r.input.params().maxNewTokens();
        if (length > model.maxPositions()) {
            return "prompt (" + r.promptLength() + " tokens) plus maxNewTokens (" + r.input.params().maxNewTokens()
                    + ") exceeds the model's " + model.maxPositions() + " positions";
        }
        if (kv.peakBlocks(r) > config.numKvBlocks()) {
            return "needs " + kv.peakBlocks(r) + " KV blocks but the pool holds " + config.numKvBlocks();
        }
        return null;
    }

    /** Checked at the end of every step; a violation is a bug, so it throws. */
    static void invariants(StepPlan plan, EngineConfig config, Scheduler scheduler, BlockManager blocks) {
        if (plan.tokenCost() > config.maxBatchTokens()) {
            throw new IllegalStateException("step used " + plan.tokenCost() + " of a " + config.maxBatchTokens() + " token budget");
        }
        if (scheduler.running().size() > config.maxRunning()) {
            throw new IllegalStateException(scheduler.running().size() + " requests running, more than " + config.maxRunning());
        }
        for (Request r : scheduler.running()) {
            int computed = r.scheduling.numComputed();
            int needed = (computed + config.kvBlockSize() - 1) / config.kvBlockSize();
            if (r.scheduling.pass1().size() < needed) {
                throw new IllegalStateException("request " + r.id() + " computed " + computed + " positions in "
                        + r.scheduling.pass1().size() + " blocks");
            }
        }
        for (Request r : scheduler.waiting()) {
            if (r.scheduling.holdsBlocks()) {
                throw new IllegalStateException("waiting request " + r.id() + " holds KV blocks");
            }
        }
        assert fullBlockCheck(blocks);
    }

    /** O(pool size): every step under tests (assertions on), skipped in production. */
    private static boolean fullBlockCheck(BlockManager blocks) {
        blocks.checkInvariants();
        return true;
    }
}
