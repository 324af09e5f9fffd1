package io.trolserve.engine;

import java.time.Duration;

/**
 * How the engine batches (issue: continuous batching over traversed layers).
 *
 * @param kvBlockSize        positions per KV block
 * @param numKvBlocks        blocks in the pool (both passes draw from it); see {@code blocksForBudget}
 * @param maxBatchTokens     token budget of one step, counted at traversal cost: a prompt token
 *                           costs 2 (two passes), any other token 1
 * @param prefillChunkTokens at most this many prompt tokens of one request per step
 * @param maxRunning         at most this many requests hold KV blocks at once
 * @param prefixCache        share the K/V (both passes) of identical prompt prefixes, keyed by
 *                           token ids and image content
 * @param visionCacheBytes   byte budget of the image-feature cache (by image content hash)
 * @param itlTarget          while any request decodes, a step takes only the prompt tokens and image
 *                           encodes that keep its predicted time within this; zero for no target
 *                           (every step may take the whole token budget)
 */
public record EngineConfig(int kvBlockSize, int numKvBlocks, int maxBatchTokens, int prefillChunkTokens,
                           int maxRunning, boolean prefixCache, long visionCacheBytes, Duration itlTarget) {

    /**
     * The longest target taken: far beyond any useful one, and a bound that keeps the scheduler's
     * nanosecond arithmetic from overflowing (a target of a million days would make every step throw).
     */
    public static final Duration MAX_ITL_TARGET = Duration.ofHours(1);

    public EngineConfig {
        require(kvBlockSize > 0, "kv-block-size must be positive");
        require(numKvBlocks > 0, "the KV pool needs at least one block");
        int promptTokenCost = TraversalRule.tokenCost(1, true);
        require(maxBatchTokens >= promptTokenCost,
                "max-batch-tokens must be at least " + promptTokenCost + " (one prompt token costs " + promptTokenCost + ")");
        require(prefillChunkTokens > 0, "prefill-chunk-tokens must be positive");
        require(maxRunning > 0, "max-running must be positive");
        require(visionCacheBytes >= 0, "vision-cache-bytes must not be negative");
        require(itlTarget != null && !itlTarget.isNegative() && itlTarget.compareTo(MAX_ITL_TARGET) <= 0,
                "itl-target must be zero (no target) or positive, and at most " + MAX_ITL_TARGET);
    }

    /** Defaults for a CPU run of a small model, without a latency target (tests pick their batches exactly). */
    public static EngineConfig defaults(int numKvBlocks) {
        return new EngineConfig(16, numKvBlocks, 4096, 512, 32, true, 256L << 20, Duration.ZERO);
    }

    public EngineConfig withPrefill(int chunkTokens, int batchTokens) {
        return new EngineConfig(kvBlockSize, numKvBlocks, batchTokens, chunkTokens, maxRunning, prefixCache, visionCacheBytes,
                itlTarget);
    }

    public EngineConfig withKv(int blockSize, int blocks, boolean prefixCaching) {
        return new EngineConfig(blockSize, blocks, maxBatchTokens, prefillChunkTokens, maxRunning, prefixCaching,
                visionCacheBytes, itlTarget);
    }

    public EngineConfig withMaxRunning(int running) {
        return new EngineConfig(kvBlockSize, numKvBlocks, maxBatchTokens, prefillChunkTokens, running, prefixCache,
                visionCacheBytes, itlTarget);
    }

    public EngineConfig withItlTarget(Duration target) {
        return new EngineConfig(kvBlockSize, numKvBlocks, maxBatchTokens, prefillChunkTokens, maxRunning, prefixCache,
                visionCacheBytes, target);
    }

    public boolean hasItlTarget() {
        return !itlTarget.isZero();
    }

    /** Blocks that fit a byte budget, given the bytes one block takes. */
    public static int blocksForBudget(long budgetBytes, long bytesPerBlock) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, budgetBytes / bytesPerBlock));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
