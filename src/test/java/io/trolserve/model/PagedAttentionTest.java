package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;
import io.trolserve.torch.Libtorch;

/**
 * Oracle tier for {@link PagedAttention}: the batched pass (one write, a padded gather and an
 * attention call per group of one-row segments) against the per-segment path through
 * {@link KvStore#append}, on random GQA shapes, block sizes, block tables and group budgets,
 * contexts from 1 position up, one-row segments interleaved with prompt chunks from position 0 and later. Slots
 * never written hold NaN, so a padding or mask that lets one through shows.
 */
class PagedAttentionTest {

    private static final int LAYERS = 2;

    /** A sequence of the pass: n new rows after {@code start} cached positions, in its own blocks. */
    record Seq(int numRows, int start, List<Integer> blocks) {
    }

    record Case(int numKvHeads, int groups, int headDim, int blockSize, int numBlocks, int layer, long groupBytes,
                List<Seq> seqs) {

        int numRows() {
            return seqs.stream().mapToInt(Seq::numRows).sum();
        }
    }

    @Test
    void batchedPassEqualsPerSegmentAttention() {
        Libtorch.ensureLoaded();
        Trials.forAll(60, PagedAttentionTest::generate, PagedAttentionTest::check);
    }

    @Test
    void storesOutsideOnePoolKeepThePerSegmentPath() {
        Libtorch.ensureLoaded();
        TrolConfig c = config(2, 2, 4);
        try (PagedKvPool pool = new PagedKvPool(layout(c), 4, 4);
             PagedKvPool other = new PagedKvPool(layout(c), 4, 4);
             ContiguousKvStore contiguous = new ContiguousKvStore(layout(c), 8);
             PointerScope scope = new PointerScope();
             Device cpu = new Device("cpu")) {
            KvStore paged = pool.store(AbstractTensor.create(0L), AbstractTensor.create(0L));
            KvStore elsewhere = other.store(AbstractTensor.create(4L), AbstractTensor.create(4L));
            assertThat(PagedAttention.plan(List.of(segment(0, paged), segment(1, contiguous)), 2, cpu)).isNull();
            assertThat(PagedAttention.plan(List.of(segment(0, paged), segment(1, elsewhere)), 2, cpu)).isNull();
            assertThat(PagedAttention.plan(List.of(segment(0, paged)), 1, cpu)).isNotNull();
        }
    }

    private static PassRows.Segment segment(int row, KvStore kv) {
        return new PassRows.Segment(row, 1, 0, kv);
    }

    private static Case generate(SplittableRandom random) {
        int nKv = new int[] {1, 2, 4}[random.nextInt(3)];
        int g = new int[] {1, 2, 3}[random.nextInt(3)];
        int d = new int[] {4, 8, 16}[random.nextInt(3)];
        int blockSize = new int[] {1, 2, 4, 16}[random.nextInt(4)];
        int numSeqs = 1 + random.nextInt(8);
        List<int[]> shapes = new ArrayList<>();
        int blocks = 0;
        for (int i = 0; i < numSeqs; i++) {
            boolean single = random.nextInt(10) < 6;
            int n = single ? 1 : 2 + random.nextInt(6);
            int start = random.nextInt(4) == 0 ? 0 : random.nextInt(single ? 60 : 30);
            shapes.add(new int[] {n, start});
            blocks += (start + n + blockSize - 1) / blockSize;
        }
        int numBlocks = blocks + 1 + random.nextInt(4);     // some never written: NaN throughout
        List<Integer> free = new ArrayList<>();
        for (int b = 0; b < numBlocks; b++) {
            free.add(b);
        }
        Collections.shuffle(free, new java.util.Random(random.nextLong()));
        List<Seq> seqs = new ArrayList<>();
        int next = 0;
        for (int[] s : shapes) {
            int need = (s[0] + s[1] + blockSize - 1) / blockSize;
            seqs.add(new Seq(s[0], s[1], List.copyOf(free.subList(next, next + need))));
            next += need;
        }
        // group budgets from "each alone" through a few per group to "all in one"
        long groupBytes = new long[] {0, 2_000, 8_000, PagedAttention.GROUP_BYTES, Long.MAX_VALUE}[random.nextInt(5)];
        return new Case(nKv, g, d, blockSize, numBlocks, random.nextInt(LAYERS), groupBytes, seqs);
    }

    private static void check(Case t) {
        TrolConfig c = config(t.numKvHeads(), t.groups(), t.headDim());
        try (PagedKvPool batched = new PagedKvPool(layout(c), t.numBlocks(), t.blockSize());
             PagedKvPool reference = new PagedKvPool(layout(c), t.numBlocks(), t.blockSize());
             PointerScope scope = new PointerScope();
             Device cpu = new Device("cpu")) {
            fillWithHistory(batched, reference, t, c);
            int rows = t.numRows();
            Tensor q = torch.randn(rows, c.numHeads(), c.headDim());                     // (R, nH, d)
            Tensor k = torch.randn(rows, c.numKvHeads(), 2, c.headDim()).select(2, 0);  // (R, nKV, d), strided as in the layer
            Tensor v = torch.randn(rows, c.numKvHeads(), 2, c.headDim()).select(2, 1);  // (R, nKV, d)
            List<PassRows.Segment> fast = segments(batched, t);
            List<PassRows.Segment> slow = segments(reference, t);
            PagedAttention plan = PagedAttention.plan(fast, rows, cpu, t.groupBytes());
            assertThat(plan).isNotNull();
            double scale = 1.0 / Math.sqrt(c.headDim());
            Tensor expected = Attention.apply(t.layer(), q, k, v, new PassRows(rows, null, null, null, slow, null), scale);
            Tensor actual = Attention.apply(t.layer(), q, k, v, new PassRows(rows, null, null, null, fast, plan), scale);
            assertThat(actual.sizes().vec().get()).containsExactly(rows, (long) c.numHeads() * c.headDim());
            assertThat(actual.sub(expected).abs().max().item_float()).isLessThan(1e-5f);
            for (Seq s : t.seqs()) {
                Tensor slots = AbstractTensor.create(slots(s, 0, s.start() + s.numRows(), t.blockSize()));
                assertThat(batched.keys(t.layer()).index_select(0, slots)
                        .equal(reference.keys(t.layer()).index_select(0, slots))).as("keys in the pool").isTrue();
                assertThat(batched.values(t.layer()).index_select(0, slots)
                        .equal(reference.values(t.layer()).index_select(0, slots))).as("values in the pool").isTrue();
            }
        }
    }

    /** NaN everywhere, then the same random K/V at every sequence's cached positions of both pools. */
    private static void fillWithHistory(PagedKvPool a, PagedKvPool b, Case t, TrolConfig c) {
        Scalar nan = new Scalar(Double.NaN);
        for (int layer = 0; layer < LAYERS; layer++) {
            a.keys(layer).fill_(nan);
            a.values(layer).fill_(nan);
            for (Seq s : t.seqs()) {
                if (s.start() > 0) {
                    Tensor slots = AbstractTensor.create(slots(s, 0, s.start(), t.blockSize()));
                    a.keys(layer).index_copy_(0, slots, torch.randn(s.start(), c.numKvHeads(), c.headDim()));
                    a.values(layer).index_copy_(0, slots, torch.randn(s.start(), c.numKvHeads(), c.headDim()));
                }
            }
            b.keys(layer).copy_(a.keys(layer));
            b.values(layer).copy_(a.values(layer));
        }
    }

    private static List<PassRows.Segment> segments(PagedKvPool pool, Case t) {
        List<PassRows.Segment> out = new ArrayList<>();
        int row = 0;
        for (Seq s : t.seqs()) {
            Tensor write = AbstractTensor.create(slots(s, s.start(), s.start() + s.numRows(), t.blockSize()));
            Tensor read = AbstractTensor.create(slots(s, 0, s.start() + s.numRows(), t.blockSize()));
            out.add(new PassRows.Segment(row, s.numRows(), s.start(), pool.store(write, read)));
            row += s.numRows();
        }
        return out;
    }

    private static long[] slots(Seq s, int from, int to, int blockSize) {
        long[] out = new long[to - from];
        for (int p = from; p < to; p++) {
            out[p - from] = (long) s.blocks().get(p / blockSize) * blockSize + p % blockSize;
        }
        return out;
    }

    private static TrolConfig config(int numKvHeads, int groups, int headDim) {
        int heads = numKvHeads * groups;
        return new TrolConfig(16, heads * headDim, 8, LAYERS, heads, numKvHeads, 1e-5, 10_000, 0, 4096, false, 1, 2, 4,
                null);
    }

    private static KvLayout layout(TrolConfig c) {
        return new KvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), Placement.cpuFloat32());
    }
}
