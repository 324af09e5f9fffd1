package io.trolserve.engine;

import java.util.ArrayList;
import java.util.List;

import io.trolserve.engine.kv.BlockKey;

/**
 * One pass's K/V blocks of a request: physical block ids in position order, the prefix-cache keys
 * of the prompt's full blocks, and how many leading blocks are registered under their keys (so
 * that later requests with the same prefix find them). {@link KvCacheManager} fills and empties it.
 * <pre>
 * position p is slot blocks[p / blockSize] * blockSize + p % blockSize
 * blocks:     | 7  | 3  | 12 | 5  |      5 is partly written
 * keys:       | k0 | k1 | k2 |           full prompt blocks; none without prefix caching
 * registered: 2                          7 and 3 are findable by k0 and k1
 * </pre>
 */
final class BlockTable {

    private final List<Integer> blocks = new ArrayList<>();
    private BlockKey[] keys;
    private int registered;

    int size() {
        return blocks.size();
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** The physical block that holds positions [index * blockSize, (index + 1) * blockSize). */
    int block(int index) {
        return blocks.get(index);
    }

    /** A copy of the block ids, in position order. */
    int[] ids() {
        return blocks.stream().mapToInt(Integer::intValue).toArray();
    }

    void append(int[] ids) {
        for (int id : ids) {
            blocks.add(id);
        }
    }

    /** The prompt's prefix keys, or null where prefix caching is off. */
    BlockKey[] keys() {
        return keys;
    }

    void keys(BlockKey[] prefixKeys) {
        this.keys = prefixKeys;
    }

    /** How many leading blocks are registered under their keys. */
    int registered() {
        return registered;
    }

    void registered(int count) {
        this.registered = count;
    }

    /** Empties the table; the caller gives the ids it had back to the pool. @return those ids */
    int[] clear() {
        int[] held = ids();
        blocks.clear();
        registered = 0;
        return held;
    }
}
