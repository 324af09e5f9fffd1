package io.trolserve.engine.kv;

/**
 * The content key of one full KV block: the first 128 bits of a SHA-256 digest, made by
 * {@link BlockHasher}. 128 bits keep accidental collisions (which would silently serve another
 * prompt's K/V) out of reach for any realistic cache size, at the cost of two longs.
 */
public record BlockKey(long high, long low) {

    @Override
    public String toString() {
        return String.format("BlockKey[%016x%016x]", high, low);
    }
}
