package io.trolserve.engine;

import java.util.List;

import io.trolserve.engine.kv.BlockHasher;
import io.trolserve.engine.kv.BlockKey;
import io.trolserve.engine.kv.BlockManager;
import io.trolserve.vision.DecodedImage;

/**
 * The requests' view of the block pool: which physical blocks hold a request's pass-1 and pass-2
 * K/V, growing them as it computes, sharing cached prompt prefixes, and giving blocks back. It
 * never touches tensors, and when the pool is short it allocates nothing and says so; the
 * scheduler then preempts.
 */
final class KvCacheManager {

    private final BlockManager blocks;
    private final int blockSize;
    private final boolean prefixCache;
    private final int imageTokenId;
    private final int imageTokensPerImage;
    private long prefixHitTokens;

    KvCacheManager(BlockManager blocks, int blockSize, boolean prefixCache, int imageTokenId, int imageTokensPerImage) {
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.prefixCache = prefixCache;
        this.imageTokenId = imageTokenId;
        this.imageTokensPerImage = imageTokensPerImage;
    }

    int blockSize() {
        return blockSize;
    }

    BlockManager blocks() {
        return blocks;
    }

    /** Prompt positions whose K/V (both passes) came from the prefix cache instead of being computed. */
    long prefixHitTokens() {
        return prefixHitTokens;
    }

    int blocksFor(int positions) {
        return (positions + blockSize - 1) / blockSize;
    }

    /** The most blocks a request can hold at once: every pass of its prompt, or its whole length. */
    int peakBlocks(Request r) {
        int promptPasses = TraversalRule.passes(TraversalRule.traversesPrompt(r.promptLength()));
        int wholeLength = r.promptLength() + r.input.params().maxNewTokens();
        return Math.max(promptPasses * blocksFor(r.promptLength()), blocksFor(wholeLength));
    }

    /** Keys of the prompt's full blocks, per pass; the image content is part of every key past an image token. */
    void computeKeys(Request r) {
        if (!prefixCache) {
            return;
        }
        List<String> hashes = r.input.images().stream().map(DecodedImage::contentHash).toList();
        r.pass1Keys = BlockHasher.prefixKeys(r.input.promptIds(), imageTokenId, hashes, imageTokensPerImage, blockSize, 1);
        r.pass2Keys = BlockHasher.prefixKeys(r.input.promptIds(), imageTokenId, hashes, imageTokensPerImage, blockSize, 2);
    }

    /**
     * Shares the longest cached prefix present for both passes, leaving at least one prompt token
     * to compute (its logits start generation). @return the positions now computed
     */
    int acquirePrefix(Request r) {
        if (!prefixCache || !TraversalRule.traversesPrompt(r.promptLength()) || r.pass1Keys == null) {
            return 0;
        }
        int n = Math.min(blocks.cachedPrefixLength(r.pass1Keys), blocks.cachedPrefixLength(r.pass2Keys));
        n = Math.min(n, (r.promptLength() - 1) / blockSize);
        if (n == 0) {
            return 0;
        }
        add(r.pass1Blocks, blocks.acquireCached(r.pass1Keys, n));
        add(r.pass2Blocks, blocks.acquireCached(r.pass2Keys, n));
        r.pass1Registered = n;
        r.pass2Registered = n;
        prefixHitTokens += (long) n * blockSize;
        return n * blockSize;
    }

    /** Grows the request's tables to cover positions [0, end); false, with nothing allocated, if the pool is short. */
    boolean ensureCapacity(Request r, int end, boolean pass2) {
        int need1 = Math.max(0, blocksFor(end) - r.pass1Blocks.size());
        int need2 = pass2 ? Math.max(0, blocksFor(end) - r.pass2Blocks.size()) : 0;
        if (need1 + need2 == 0) {
            return true;
        }
        int[] fresh = blocks.allocate(need1 + need2);
        if (fresh == null) {
            return false;
        }
        for (int i = 0; i < fresh.length; i++) {
            (i < need1 ? r.pass1Blocks : r.pass2Blocks).add(fresh[i]);
        }
        return true;
    }

    /** Makes the prompt's fully computed blocks findable by later requests with the same prefix. */
    void registerComputed(Request r) {
        if (r.pass1Keys == null) {
            return;
        }
        int complete = Math.min(r.pass1Keys.length, r.numComputed / blockSize);
        for (; r.pass1Registered < complete; r.pass1Registered++) {
            blocks.register(r.pass1Blocks.get(r.pass1Registered), r.pass1Keys[r.pass1Registered]);
        }
        int complete2 = Math.min(complete, r.pass2Blocks.size());
        for (; r.pass2Registered < complete2; r.pass2Registered++) {
            blocks.register(r.pass2Blocks.get(r.pass2Registered), r.pass2Keys[r.pass2Registered]);
        }
    }

    /** The temporary pass-2 store ends with the prefill; registered blocks stay cached until evicted. */
    void releasePass2(Request r) {
        release(r.pass2Blocks);
        r.pass2Registered = 0;
    }

    void releaseAll(Request r) {
        release(r.pass1Blocks);
        release(r.pass2Blocks);
        r.pass1Registered = 0;
        r.pass2Registered = 0;
    }

    private void release(List<Integer> held) {
        if (!held.isEmpty()) {
            blocks.release(held.stream().mapToInt(Integer::intValue).toArray());
            held.clear();
        }
    }

    private static void add(List<Integer> to, int[] ids) {
        for (int id : ids) {
            to.add(id);
        }
    }
}
