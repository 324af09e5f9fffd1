package io.trolserve.service;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trolserve.engine.EngineConfig;
import io.trolserve.model.TrolModel;

/** {@code trol.engine.*}: how the engine batches; see {@link EngineConfig} for each field's meaning. */
@ConfigMapping(prefix = "trol.engine")
public interface EngineSettings {

    @WithDefault("16")
    int kvBlockSize();

    /** Memory for the paged K/V pool (both traversal passes draw from it). */
    @WithDefault("2147483648")
    long kvCacheBytes();

    @WithDefault("4096")
    int maxBatchTokens();

    @WithDefault("512")
    int prefillChunkTokens();

    @WithDefault("32")
    int maxRunning();

    @WithDefault("true")
    boolean prefixCache();

    @WithDefault("268435456")
    long visionCacheBytes();

    /**
     * The inter-token latency the engine aims at: while any request decodes, a step takes only the
     * prompt tokens and image encodes its cost model predicts keep the step within this (a stream
     * then waits about this long for its next token, instead of for a whole batch of prompts).
     * {@code 0s} turns the target off. Unset: {@link #CPU_ITL_TARGET} on CPU, {@link #CUDA_ITL_TARGET}
     * on CUDA.
     */
    Optional<Duration> itlTarget();

    /** On CPU a decode step of the medium benchmark model alone takes 100 to 180 ms (BENCHMARKS.md). */
    Duration CPU_ITL_TARGET = Duration.ofMillis(400);

    /** On a GPU a decode step of TroL-1.8B is a few to a few tens of milliseconds; reading speed is about 10 tokens/s. */
    Duration CUDA_ITL_TARGET = Duration.ofMillis(50);

    /**
     * Liveness and readiness fail when no engine step has finished for this long while requests
     * wait. A step of the medium model on CPU takes about 10 s (a whole batch of prompt chunks
     * more), so 2 minutes leaves room for several of the slowest steps before a working engine
     * would be restarted, and still restarts a wedged one (a native call that never returns, a
     * listener blocked on I/O) within minutes. Not an engine setting: only the health checks read it.
     */
    @WithDefault("2m")
    Duration stallTimeout();

    /**
     * The engine configuration for this model: the pool gets as many blocks as the byte budget
     * buys, but no more than max-running full-length sequences can use (both passes each).
     */
    default EngineConfig toConfig(TrolModel model) {
        long perBlock = model.kvLayout().bytesPerBlock(kvBlockSize());
        long useful = 2L * maxRunning() * ((model.maxPositions() + kvBlockSize() - 1) / kvBlockSize());
        int blocks = (int) Math.min(useful, EngineConfig.blocksForBudget(kvCacheBytes(), perBlock));
        Duration target = itlTarget().orElse(model.placement().isCuda() ? CUDA_ITL_TARGET : CPU_ITL_TARGET);
        return new EngineConfig(kvBlockSize(), blocks, maxBatchTokens(), prefillChunkTokens(), maxRunning(),
                prefixCache(), visionCacheBytes(), target);
    }
}
