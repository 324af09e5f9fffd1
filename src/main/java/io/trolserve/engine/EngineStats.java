package io.trolserve.engine;

/**
 * A snapshot of the engine after a step, for metrics and health; cheap to read from any thread.
 *
 * @param traversalPasses decoder-layer passes run over prompt tokens beyond the first pass
 */
public record EngineStats(int running, int waiting, int lastBatchSize, int kvBlocksTotal, int kvBlocksFree,
                          int kvBlocksCached, long visionCacheBytes, long imagesEncoded, long visionCacheHits, long steps,
                          long preemptions, long promptTokens, long generatedTokens, long traversalPasses,
                          long prefixCacheHitTokens) {

    public static final EngineStats EMPTY = new EngineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
