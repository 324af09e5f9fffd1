package io.trolserve.engine;

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
 */
public record EngineConfig(int kvBlockSize, int numKvBlocks, int maxBatchTokens, int prefillChunkTokens,
                           int maxRunning, boolean prefixCache, long visionCacheBytes) {

    public EngineConfig {
        require(kvBlockSize > 0, "kv-block-size must be positive");
        require(numKvBlocks > 0, "the KV pool needs at least one block");
        require(maxBatchTokens >= 2, "max-batch-tokens must be at least 2 (one prompt token costs 2)");
        require(prefillChunkTokens > 0, "prefill-chunk-tokens must be positive");
        require(maxRunning > 0, "max-running must be positive");
        require(visionCacheBytes >= 0, "vision-cache-bytes must not be negative");
    }

    /** Defaults for a CPU run of a small model. */
    public static EngineConfig defaults(int numKvBlocks) {
        return new EngineConfig(16, numKvBlocks, 4096, 512, 32, true, 256L << 20);
    }

    public EngineConfig withPrefill(int chunkTokens, int batchTokens) {
        return new EngineConfig(kvBlockSize, numKvBlocks, batchTokens, chunkTokens, maxRunning, prefixCache, visionCacheBytes);
    }

    public EngineConfig withKv(int blockSize, int blocks, boolean prefixCaching) {
        return new EngineConfig(blockSize, blocks, maxBatchTokens, prefillChunkTokens, maxRunning, prefixCaching, visionCacheBytes);
    }

    public EngineConfig withMaxRunning(int running) {
        return new EngineConfig(kvBlockSize, numKvBlocks, maxBatchTokens, prefillChunkTokens, running, prefixCache, visionCacheBytes);
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
