package io.trolserve.engine.kv;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;

/**
 * Owns the block ids {@code 0..numBlocks-1} of one paged KV pool: who holds each block, and which
 * full blocks can be found again by content ({@link BlockHasher} keys). No tensors: the engine maps
 * ids to pool slots. Each id is in exactly one of three places:
 *
 * <pre>
 *   free       refcount 0, no key   FIFO: taken first, released blocks join the end
 *   evictable  refcount 0, keyed    LRU: reusable by key until allocate() needs it, oldest first
 *   held       refcount > 0         possibly keyed (then shareable via acquireCached)
 * </pre>
 *
 * Running out is not an error: {@link #allocate} returns null and the scheduler preempts.
 * Misuse (double free, unknown key) is, and throws.
 */
public final class BlockManager {

    private final int numBlocks;
    private final boolean prefixCaching;
    private final int[] refCount;
    private final BlockKey[] keyOf;                                       // null: not findable
    private final Map<BlockKey, Integer> cached = new HashMap<>();        // key -> block id
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>(); // iteration = LRU order
    private long prefixQueries;
    private long prefixQueriedBlocks;
    private long prefixHitBlocks;

    public BlockManager(int numBlocks, boolean prefixCaching) {
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("numBlocks must be positive, got " + numBlocks);
        }
        this.numBlocks = numBlocks;
        this.prefixCaching = prefixCaching;
        this.refCount = new int[numBlocks];
        this.keyOf = new BlockKey[numBlocks];
        for (int id = 0; id < numBlocks; id++) {
            free.addLast(id);
        }
    }

    /** n fresh blocks with refcount 1 (free ones first, then evicting the oldest cached); null if short. */
    public int[] allocate(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot allocate " + n + " blocks");
        }
        if (n > numFreeBlocks()) {
            return null; // checked up front, so a refusal changes nothing
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = free.isEmpty() ? evictOldest() : free.pollFirst();
            refCount[ids[i]] = 1;
        }
        return ids;
    }

    private int evictOldest() {
        Iterator<Integer> oldest = evictable.iterator();
        int id = oldest.next();
        oldest.remove();
        cached.remove(keyOf[id]);
        keyOf[id] = null;
        return id;
    }

    /** How many leading keys are cached; no side effects (not even the counters). */
    public int cachedPrefixLength(BlockKey[] keys) {
        if (!prefixCaching) {
            return 0;
        }
        int n = 0;
        while (n < keys.length && cached.containsKey(keys[n])) {
            n++;
        }
        return n;
    }

    /**
     * Takes a reference on the blocks of the first {@code count} keys, which must be cached. This is
     * where a request commits to its cached prefix, so the hit counters count here: call it once per
     * admitted request, with count 0 on a miss, and a request that waits several steps counts once.
     */
    public int[] acquireCached(BlockKey[] keys, int count) {
        if (count < 0 || count > keys.length) {
            throw new IllegalArgumentException("count " + count + " outside 0.." + keys.length);
        }
        int have = cachedPrefixLength(keys);
        if (count > have) {
            throw new IllegalArgumentException("key " + have + " (" + keys[have] + ") is not cached");
        }
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = cached.get(keys[i]);
            if (refCount[ids[i]]++ == 0) {
                evictable.remove(ids[i]);
            }
        }
        if (prefixCaching) {
            prefixQueries++;
            prefixQueriedBlocks += keys.length;
            prefixHitBlocks += count;
        }
        return ids;
    }

    /** A held block whose content is complete becomes findable under key; first writer wins. */
    public void register(int blockId, BlockKey key) {
        checkId(blockId);
        Objects.requireNonNull(key, "key");
        if (refCount[blockId] == 0) {
            throw new IllegalStateException("block " + blockId + " is not held; its content may be overwritten");
        }
        if (!prefixCaching || key.equals(keyOf[blockId])) {
            return;
        }
        if (keyOf[blockId] != null) {
            throw new IllegalStateException("block " + blockId + " is already registered as " + keyOf[blockId]);
        }
        if (!cached.containsKey(key)) { // a duplicate stays private: one block per key keeps lookups unambiguous
            cached.put(key, blockId);
            keyOf[blockId] = key;
        }
    }

    /**
     * Drops one reference per listed id; the only place blocks are freed. {@code blockIds} is a block
     * table in prefix order and is queued tail first: the tail is then evicted before its prefix
     * (a block whose parent was evicted can never be hit again). All-or-nothing: a double free
     * throws and changes nothing.
     */
    public void release(int[] blockIds) {
        for (int id : blockIds) {
            checkId(id);
        }
        for (int i = 0; i < blockIds.length; i++) {
            if (refCount[blockIds[i]] == 0) {
                for (int j = 0; j < i; j++) {
                    refCount[blockIds[j]]++;
                }
                throw new IllegalStateException("block " + blockIds[i] + " freed twice");
            }
            refCount[blockIds[i]]--;
        }
        BitSet queued = new BitSet(numBlocks); // an id listed twice is queued once
        for (int i = blockIds.length - 1; i >= 0; i--) {
            int id = blockIds[i];
            if (refCount[id] == 0 && !queued.get(id)) {
                queued.set(id);
                if (keyOf[id] != null) {
                    evictable.add(id);
                } else {
                    free.addLast(id);
                }
            }
        }
    }

    private void checkId(int id) {
        if (id < 0 || id >= numBlocks) {
            throw new IllegalArgumentException("block id " + id + " outside 0.." + (numBlocks - 1));
        }
    }

    public int numBlocks() {
        return numBlocks;
    }

    /** Blocks allocate() can hand out now: free plus evictable. */
    public int numFreeBlocks() {
        return free.size() + evictable.size();
    }

    /** Blocks findable by key, held or evictable. */
    public int numCachedBlocks() {
        return cached.size();
    }

    public int refCount(int blockId) {
        checkId(blockId);
        return refCount[blockId];
    }

    /** Requests that committed to a prefix lookup (acquireCached calls with caching on). */
    public long prefixQueries() {
        return prefixQueries;
    }

    /** Full blocks those requests asked for; misses = this - prefixHitBlocks(). */
    public long prefixQueriedBlocks() {
        return prefixQueriedBlocks;
    }

    public long prefixHitBlocks() {
        return prefixHitBlocks;
    }

    /** Every id in exactly one of free, evictable, held; key maps agree. Throws on the first violation. */
    public void checkInvariants() {
        int[] places = new int[numBlocks];
        for (int id : free) {
            require(refCount[id] == 0 && keyOf[id] == null, () -> "free block " + id + " has refcount "
                    + refCount[id] + ", key " + keyOf[id]);
            places[id]++;
        }
        for (int id : evictable) {
            require(refCount[id] == 0 && keyOf[id] != null, () -> "evictable block " + id + " has refcount "
                    + refCount[id] + ", key " + keyOf[id]);
            places[id]++;
        }
        for (int b = 0; b < numBlocks; b++) {
            int id = b;
            require(refCount[id] >= 0, () -> "block " + id + " has refcount " + refCount[id]);
            places[id] += refCount[id] > 0 ? 1 : 0;
            require(places[id] == 1, () -> "block " + id + " is in " + places[id] + " of free/evictable/held");
            require(keyOf[id] == null || Integer.valueOf(id).equals(cached.get(keyOf[id])),
                    () -> "block " + id + " has key " + keyOf[id] + " that maps to " + cached.get(keyOf[id]));
        }
        for (Map.Entry<BlockKey, Integer> e : cached.entrySet()) {
            require(e.getKey().equals(keyOf[e.getValue()]), () -> "key " + e.getKey() + " maps to block "
                    + e.getValue() + " whose key is " + keyOf[e.getValue()]);
        }
        require(prefixCaching || cached.isEmpty(), () -> "prefix caching is off but " + cached.size() + " blocks are cached");
    }

    /** The message is built only on failure: this runs over every block after every step. */
    private static void require(boolean ok, java.util.function.Supplier<String> violation) {
        if (!ok) {
            throw new IllegalStateException(violation.get());
        }
    }
}
