package io.trolserve.cli.bench;

import io.trolserve.engine.EngineConfig;
import io.trolserve.model.TrolModel;

/**
 * What a serving process may keep resident (issue 10): the memory it is configured to hold — the
 * weights, the K/V pool, the vision cache's budget — plus a fixed allowance for everything else:
 * the JVM, the native libraries, one step's activations.
 */
public record MemoryBound(long weightBytes, long kvPoolBytes, long visionCacheBytes, long otherBytes) {

    static final long OTHER_BYTES = 1L << 30;

    public static MemoryBound of(TrolModel model, EngineConfig config) {
        long pool = (long) config.numKvBlocks()
                * model.kvLayout().bytesPerBlock(config.kvBlockSize());
        return new MemoryBound(model.weightBytes(), pool, config.visionCacheBytes(), OTHER_BYTES);
    }

    long totalBytes() {
        return weightBytes + kvPoolBytes + visionCacheBytes + otherBytes;
    }

    @Override
    public String toString() {
        return String.format("%d MiB = weights %d + K/V pool %d + vision cache %d + other %d MiB", mib(totalBytes()),
                mib(weightBytes), mib(kvPoolBytes), mib(visionCacheBytes), mib(otherBytes));
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
