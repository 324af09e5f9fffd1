package io.trolserve.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random traffic through the manager the way the scheduler drives it: admit a prompt
 * (cached prefix + fresh blocks, undone when allocate says no), finish blocks, release, and
 * provoke double frees. After every operation the invariants hold and the manager agrees with a
 * plain model of who holds what; a block served by key must hold the content written under that
 * key (an evicted block must never come back under its old key).
 */
class BlockManagerStressTest {

    private static final int BLOCK = 4;

    private record Request(int[] table, BlockKey[] keys) {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void randomTrafficKeepsInvariantsAndLeaksNothing(long seed) {
        Random rnd = new Random(seed);
        int numBlocks = 8 + rnd.nextInt(25);
        BlockManager m = new BlockManager(numBlocks, true);
        BlockKey[] content = new BlockKey[numBlocks]; // what the engine "wrote" into each block
        int[] expectedRefs = new int[numBlocks];
        List<Request> running = new ArrayList<>();
        int[][] prompts = prompts(rnd);

        for (int op = 0; op < 5000; op++) {
            int dice = rnd.nextInt(10);
            if (dice < 5) {
                admit(m, rnd, prompts[rnd.nextInt(prompts.length)], content, expectedRefs, running);
            } else if (dice < 9 && !running.isEmpty()) {
                Request r = running.remove(rnd.nextInt(running.size()));
                m.release(r.table());
                for (int id : r.table()) {
                    expectedRefs[id]--;
                }
            } else {
                int id = rnd.nextInt(numBlocks);
                if (expectedRefs[id] == 0) {
                    assertThatThrownBy(() -> m.release(new int[] {id})).isInstanceOf(IllegalStateException.class);
                }
            }
            m.checkInvariants();
            int held = 0;
            for (int id = 0; id < numBlocks; id++) {
                assertThat(m.refCount(id)).as("refcount of block %d after op %d", id, op).isEqualTo(expectedRefs[id]);
                held += expectedRefs[id] > 0 ? 1 : 0;
            }
            assertThat(m.numFreeBlocks()).isEqualTo(numBlocks - held);
        }
        assertThat(m.prefixHitBlocks()).as("the traffic must exercise the cache").isPositive();
        for (Request r : running) {
            m.release(r.table());
        }
        m.checkInvariants();
        assertThat(m.numFreeBlocks()).isEqualTo(numBlocks);
        for (int id = 0; id < numBlocks; id++) {
            assertThat(m.refCount(id)).isZero();
        }
    }

    /** Admission as the scheduler does it; a refused allocation undoes the acquired prefix. */
    private static void admit(BlockManager m, Random rnd, int[] prompt, BlockKey[] content, int[] refs,
                              List<Request> running) {
        BlockKey[] keys = BlockHasher.prefixKeys(prompt, -1, List.of(), 1, BLOCK, 1 + rnd.nextInt(2));
        int hit = m.cachedPrefixLength(keys);
        int[] shared = m.acquireCached(keys, hit);
        for (int k = 0; k < hit; k++) {
            assertThat(content[shared[k]]).as("content of block %d served for key %d", shared[k], k).isEqualTo(keys[k]);
        }
        int needed = (prompt.length + BLOCK - 1) / BLOCK - hit;
        int[] fresh = m.allocate(needed);
        if (fresh == null) {
            m.release(shared);
            return;
        }
        int[] table = Arrays.copyOf(shared, hit + needed);
        System.arraycopy(fresh, 0, table, hit, needed);
        for (int id : table) {
            refs[id]++;
        }
        for (int k = hit; k < table.length; k++) {
            content[table[k]] = k < keys.length ? keys[k] : null; // computed; the partial tail has no key
            if (k < keys.length) {
                m.register(table[k], keys[k]);
            }
        }
        running.add(new Request(table, keys));
    }

    /** A few shared "system prompts" with random continuations, so prefixes are shared and diverge. */
    private static int[][] prompts(Random rnd) {
        int[][] systems = new int[3][];
        for (int s = 0; s < systems.length; s++) {
            systems[s] = rnd.ints(2 + rnd.nextInt(10), 0, 50).toArray();
        }
        int[][] prompts = new int[12][];
        for (int p = 0; p < prompts.length; p++) {
            int[] sys = systems[rnd.nextInt(systems.length)];
            int[] tail = rnd.ints(rnd.nextInt(12), 0, 50).toArray();
            prompts[p] = Arrays.copyOf(sys, sys.length + tail.length + 1);
            System.arraycopy(tail, 0, prompts[p], sys.length, tail.length);
        }
        return prompts;
    }

    @Test
    void cachingOffUnderTheSameTrafficNeverHits() {
        Random rnd = new Random(7);
        BlockManager m = new BlockManager(16, false);
        List<int[]> tables = new ArrayList<>();
        for (int op = 0; op < 2000; op++) {
            if (rnd.nextBoolean() || tables.isEmpty()) {
                int[] t = m.allocate(1 + rnd.nextInt(4));
                if (t != null) {
                    m.register(t[0], new BlockKey(0, rnd.nextInt(4)));
                    tables.add(t);
                }
            } else {
                m.release(tables.remove(rnd.nextInt(tables.size())));
            }
            m.checkInvariants();
            assertThat(m.numCachedBlocks()).isZero();
        }
        tables.forEach(m::release);
        assertThat(m.numFreeBlocks()).isEqualTo(16);
    }
}
