package io.trolserve.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tiny pools, exact block ids. Keys here are arbitrary constants: the manager never looks inside
 * them, and a hand-written key makes each expectation readable.
 */
class BlockManagerTest {

    private BlockManager m;

    private static BlockKey key(int i) {
        return new BlockKey(0, i);
    }

    private static BlockKey[] keys(int... is) {
        BlockKey[] ks = new BlockKey[is.length];
        for (int j = 0; j < is.length; j++) {
            ks[j] = key(is[j]);
        }
        return ks;
    }

    @AfterEach
    void invariantsHold() {
        m.checkInvariants();
    }

    @Test
    void aFreshPoolHandsOutTheLowestIdsFirst() {
        m = new BlockManager(8, true);
        assertThat(m.allocate(3)).containsExactly(0, 1, 2);
        assertThat(m.allocate(2)).containsExactly(3, 4);
        assertThat(m.allocate(0)).isEmpty();
        assertThat(m.numFreeBlocks()).isEqualTo(3);
        assertThat(m.refCount(0)).isEqualTo(1);
        assertThat(m.refCount(7)).isZero();
    }

    @Test
    void releasedBlocksJoinTheEndOfTheFreeQueueTailFirst() {
        m = new BlockManager(8, true);
        int[] table = m.allocate(3);                                    // [0, 1, 2]
        m.release(table);                                               // free: 3 4 5 6 7 2 1 0
        assertThat(m.allocate(5)).containsExactly(3, 4, 5, 6, 7);
        assertThat(m.allocate(3)).containsExactly(2, 1, 0);
        assertThat(m.numFreeBlocks()).isZero();
    }

    @Test
    void allocateReturnsNullAndChangesNothingWhenShort() {
        m = new BlockManager(8, true);
        int[] table = m.allocate(6);                                    // [0..5]
        m.register(0, key(10));
        m.register(1, key(11));
        m.release(new int[] {0, 1});                                    // evictable (LRU): 1 0; free: 6 7
        assertThat(m.numFreeBlocks()).isEqualTo(4);

        assertThat(m.allocate(5)).isNull();
        assertThat(m.numFreeBlocks()).isEqualTo(4);
        assertThat(m.numCachedBlocks()).isEqualTo(2);
        assertThat(m.cachedPrefixLength(keys(10, 11))).isEqualTo(2);
        assertThat(table).containsExactly(0, 1, 2, 3, 4, 5);
        m.checkInvariants();

        assertThat(m.allocate(4)).containsExactly(6, 7, 1, 0);           // free first, then evict tail first
        assertThat(m.numCachedBlocks()).isZero();
        assertThat(m.cachedPrefixLength(keys(10, 11))).isZero();
        assertThat(m.allocate(1)).isNull();
    }

    @Test
    void cachedBlocksAreEvictedLeastRecentlyReleasedFirst() {
        m = new BlockManager(4, true);
        m.allocate(4);                                                  // [0, 1, 2, 3], one block per request
        for (int id = 0; id < 4; id++) {
            m.register(id, key(id));
        }
        m.release(new int[] {2});
        m.release(new int[] {0});
        m.release(new int[] {3});
        m.release(new int[] {1});                                       // LRU: 2 0 3 1
        assertThat(m.acquireCached(keys(0), 1)).containsExactly(0);      // a hit leaves the LRU...
        m.release(new int[] {0});                                       // ...and returns at its young end: 2 3 1 0

        assertThat(m.allocate(1)).containsExactly(2);
        assertThat(m.numCachedBlocks()).isEqualTo(3);
        assertThat(m.allocate(2)).containsExactly(3, 1);
        assertThat(m.cachedPrefixLength(keys(0))).isEqualTo(1);
        assertThat(m.cachedPrefixLength(keys(1))).isZero();
        assertThat(m.allocate(1)).containsExactly(0);
        assertThat(m.numCachedBlocks()).isZero();
    }

    @Test
    void uncachedFreeBlocksAreTakenBeforeAnyCachedBlockIsEvicted() {
        m = new BlockManager(4, true);
        m.allocate(4);
        m.register(0, key(0));
        m.release(new int[] {0});                                       // cached first...
        m.release(new int[] {1});                                       // ...then a plain free
        assertThat(m.allocate(1)).containsExactly(1);
        assertThat(m.cachedPrefixLength(keys(0))).isEqualTo(1);
    }

    @Test
    void releasingABlockTableEvictsItsTailBeforeItsPrefix() {
        m = new BlockManager(4, true);
        int[] table = m.allocate(3);                                    // [0, 1, 2]
        for (int k = 0; k < 3; k++) {
            m.register(table[k], key(k));
        }
        m.release(table);                                               // free: 3; LRU: 2 1 0
        assertThat(m.allocate(2)).containsExactly(3, 2);
        assertThat(m.cachedPrefixLength(keys(0, 1, 2))).isEqualTo(2);
    }

    @Test
    void aDoubleFreeThrowsAndChangesNothing() {
        m = new BlockManager(8, true);
        m.allocate(2);                                                  // [0, 1]
        m.release(new int[] {0});
        assertThatThrownBy(() -> m.release(new int[] {0}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("block 0 freed twice");
        assertThatThrownBy(() -> m.release(new int[] {1, 1}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("freed twice");
        assertThat(m.refCount(1)).isEqualTo(1);
        assertThat(m.numFreeBlocks()).isEqualTo(7);
        assertThatThrownBy(() -> m.release(new int[] {5}))              // never allocated
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.release(new int[] {8})).isInstanceOf(IllegalArgumentException.class);
        m.checkInvariants();
        m.release(new int[] {1});
        assertThat(m.numFreeBlocks()).isEqualTo(8);
    }

    @Test
    void twoSharersHoldOneBlockUntilBothRelease() {
        m = new BlockManager(8, true);
        int[] a = m.allocate(3);                                        // [0, 1, 2]; block 2 is a partial tail
        m.register(0, key(0));
        m.register(1, key(1));
        BlockKey[] prompt = keys(0, 1, 7);
        assertThat(m.cachedPrefixLength(prompt)).isEqualTo(2);
        int[] b = m.acquireCached(prompt, 2);
        assertThat(b).containsExactly(0, 1);
        assertThat(m.allocate(1)).containsExactly(3);                   // b's own tail
        assertThat(m.refCount(0)).isEqualTo(2);
        assertThat(m.refCount(2)).isEqualTo(1);

        m.release(a);
        assertThat(m.refCount(0)).isEqualTo(1);
        assertThat(m.numFreeBlocks()).isEqualTo(5);                     // only a's tail came back
        m.release(new int[] {0, 1, 3});
        assertThat(m.numFreeBlocks()).isEqualTo(8);
        assertThat(m.numCachedBlocks()).isEqualTo(2);

        assertThat(m.acquireCached(prompt, 2)).containsExactly(0, 1);   // a third request, from the LRU
        assertThat(m.numFreeBlocks()).isEqualTo(6);
        assertThat(m.prefixQueries()).isEqualTo(2);
        assertThat(m.prefixQueriedBlocks()).isEqualTo(6);
        assertThat(m.prefixHitBlocks()).isEqualTo(4);
        m.release(new int[] {0, 1});
    }

    @Test
    void aDuplicateRegistrationStaysPrivateAndIsFreedNormally() {
        m = new BlockManager(4, true);
        m.allocate(2);                                                  // two requests computed the same block
        m.register(0, key(5));
        m.register(1, key(5));
        m.register(0, key(5));                                          // re-registering the same key: no-op
        assertThat(m.numCachedBlocks()).isEqualTo(1);
        m.release(new int[] {1});                                       // plain free: free 2 3 1
        m.release(new int[] {0});                                       // evictable
        assertThat(m.acquireCached(keys(5), 1)).containsExactly(0);
        assertThat(m.allocate(3)).containsExactly(2, 3, 1);
    }

    @Test
    void cachedPrefixLengthStopsAtTheFirstMissAndHasNoSideEffects() {
        m = new BlockManager(8, true);
        m.allocate(3);
        m.register(0, key(0));
        m.register(2, key(2));                                          // key 1 never computed
        m.release(new int[] {0, 1, 2});
        assertThat(m.cachedPrefixLength(keys(0, 1, 2))).isEqualTo(1);
        assertThat(m.cachedPrefixLength(keys(2))).isEqualTo(1);
        assertThat(m.cachedPrefixLength(keys(9, 0))).isZero();
        assertThat(m.refCount(0)).isZero();
        assertThat(m.prefixQueries()).isZero();
        assertThat(m.allocate(8)).containsExactly(3, 4, 5, 6, 7, 1, 2, 0); // LRU untouched by lookups
    }

    @Test
    void misuseThrows() {
        m = new BlockManager(4, true);
        assertThatThrownBy(() -> m.register(0, key(0)))                 // not held: content not ours
                .isInstanceOf(IllegalStateException.class);
        m.allocate(1);
        m.register(0, key(0));
        assertThatThrownBy(() -> m.register(0, key(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.acquireCached(keys(0, 1), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key 1");
        assertThatThrownBy(() -> m.acquireCached(keys(0), 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.allocate(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BlockManager(0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(m.refCount(0)).isEqualTo(1);
    }

    @Test
    void withPrefixCachingOffNothingIsEverCached() {
        m = new BlockManager(4, false);
        int[] table = m.allocate(2);                                    // [0, 1]
        m.register(0, key(0));
        m.register(1, key(1));
        assertThat(m.numCachedBlocks()).isZero();
        assertThat(m.cachedPrefixLength(keys(0, 1))).isZero();
        assertThat(m.acquireCached(keys(0, 1), 0)).isEmpty();
        assertThatThrownBy(() -> m.acquireCached(keys(0, 1), 1)).isInstanceOf(IllegalArgumentException.class);
        m.release(table);
        assertThat(m.allocate(4)).containsExactly(2, 3, 1, 0);
        assertThat(m.prefixQueries()).isZero();
        assertThat(m.prefixHitBlocks()).isZero();
    }
}
