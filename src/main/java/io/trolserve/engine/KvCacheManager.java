package io.trolserve.engine;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

import io.trolserve.engine.kv.BlockHasher;
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
    private final ToIntFunction<DecodedImage> imageTokens;
    private long prefixHitTokens;

    /** For a model whose every image gives the same run of {@code imageTokensPerImage} tokens. */
    KvCacheManager(BlockManager blocks, int blockSize, boolean prefixCache, int imageTokenId, int imageTokensPerImage) {
        this(blocks, blockSize, prefixCache, imageTokenId, image -> imageTokensPerImage);
    }

    /** @param imageTokens the run of image tokens each decoded image gives (the model's {@code ImagePolicy}) */
    KvCacheManager(BlockManager blocks, int blockSize, boolean prefixCache, int imageTokenId,
                   ToIntFunction<DecodedImage> imageTokens) {
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.prefixCache = prefixCache;
        this.imageTokenId = imageTokenId;
        this.imageTokens = imageTokens;
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

    /**
     * Keys of the prompt's full blocks, per pass; the image content is part of every key past an
     * image token. The content hash (of the encoded bytes) stands for the features: one engine
     * serves one model, and its policy decodes the same bytes to the same pixels and tiles.
     */
    void computeKeys(Request r) {
        if (!prefixCache) {
            return;
        }
        List<String> hashes = r.input.images().stream().map(DecodedImage::contentHash).toList();
        int[] counts = imageTokenCounts(r);
        SchedulingState s = r.scheduling;
        s.pass1().keys(BlockHasher.prefixKeys(r.input.promptIds(), imageTokenId, hashes, counts, blockSize, 1));
        s.pass2().keys(BlockHasher.prefixKeys(r.input.promptIds(), imageTokenId, hashes, counts, blockSize, 2));
    }

    /** The run of image tokens each of the request's images gives, in prompt order. */
    int[] imageTokenCounts(Request r) {
        return r.input.images().stream().mapToInt(imageTokens).toArray();
    }

    /**
     * Shares the longest cached prefix present for both passes, leaving at least one prompt token
     * to compute (its logits start generation). @return the positions now computed
     */
    int acquirePrefix(Request r) {
        SchedulingState s = r.scheduling;
        if (!prefixCache || !TraversalRule.traversesPrompt(r.promptLength()) || s.pass1().keys() == null) {
            return 0;
        }
        int n = Math.min(blocks.cachedPrefixLength(s.pass1().keys()), blocks.cachedPrefixLength(s.pass2().keys()));
        n = Math.min(n, (r.promptLength() - 1) / blockSize);
        if (n == 0) {
            return 0;
        }
        for (BlockTable table : List.of(s.pass1(), s.pass2())) {
            table.append(blocks.acquireCached(table.keys(), n));
            table.registered(n);
        }
        prefixHitTokens += (long) n * blockSize;
        return n * blockSize;
    }

    /**
     * Grows the request's tables to cover positions [0, end): pass 1, and pass 2 as well for a
     * traversed chunk. False, with nothing allocated, if the pool is short.
     */
    boolean ensureCapacity(Request r, int end, boolean traversed) {
        BlockTable pass1 = r.scheduling.pass1();
        BlockTable pass2 = r.scheduling.pass2();
        int need1 = Math.max(0, blocksFor(end) - pass1.size());
        int need2 = traversed ? Math.max(0, blocksFor(end) - pass2.size()) : 0;
        if (need1 + need2 == 0) {
            return true;
        }
        int[] fresh = blocks.allocate(need1 + need2);
        if (fresh == null) {
            return false;
        }
        pass1.append(Arrays.copyOfRange(fresh, 0, need1));
        pass2.append(Arrays.copyOfRange(fresh, need1, fresh.length));
        return true;
    }

    /** Makes the prompt's fully computed blocks findable by later requests with the same prefix. */
    void registerComputed(Request r) {
        SchedulingState s = r.scheduling;
        if (s.pass1().keys() == null) {
            return;
        }
        int complete = Math.min(s.pass1().keys().length, s.numComputed() / blockSize);
        register(s.pass1(), complete);
        register(s.pass2(), Math.min(complete, s.pass2().size()));
    }

    private void register(BlockTable table, int upTo) {
        for (int i = table.registered(); i < upTo; i++) {
            blocks.register(table.block(i), table.keys()[i]);
            table.registered(i + 1);
        }
    }

    /** The temporary pass-2 store ends with the prefill; registered blocks stay cached until evicted. */
    void releasePass2(Request r) {
        release(r.scheduling.pass2());
    }

    /** Gives back every block the request holds; the one place a request's blocks are freed. */
    void releaseAll(Request r) {
        release(r.scheduling.pass1());
        release(r.scheduling.pass2());
    }

    private void release(BlockTable table) {
        int[] held = table.clear();
        if (held.length > 0) {
            blocks.release(held);
        }
    }
}
