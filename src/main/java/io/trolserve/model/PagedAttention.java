package io.trolserve.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@link Attention} of one pass whose sequences all keep their K/V in one {@link PagedKvPool}, with
 * the same masking and fewer ops per layer. Every index tensor is built once per step, when the
 * pass is planned, and shared by every layer:
 * <pre>
 * rows:        | A: prompt chunk, n=3 | B: 1 row, pos 4 | C: 1 row, pos 1 | D: 1 row, pos 40 |
 * writeSlots:  | a3 a4 a5             | b4              | c1              | d40              |  one index_copy_
 * group 1 (B, C), slots (2, Lmax=5), padded with the row's own position-0 slot, and its key mask:
 *              B: | b0 b1 b2 b3 b4 |   1 1 1 1 1
 *              C: | c0 c1 c0 c0 c0 |   1 1 0 0 0          one gather and one attention call
 * group 2 (D): | d0 .. d40 |           no padding, no mask
 * </pre>
 * One-row segments (decode tokens, one-token prompt chunks) are grouped in row order so that a
 * group's gathered K and V take at most {@link #GROUP_BYTES}; each group is gathered into one
 * per-step workspace and attended in one call. Groups, not the whole batch, because the gather
 * copies the context and attention then reads the copy: a copy that stays in a core's cache costs
 * little, the whole batch's (16 sequences of 450 positions at hidden 1024: 30 MB a layer) goes to
 * memory and back. On CPU, 16 sequences, hidden 1024, per step against one call per sequence: one
 * call for all was 0.5-0.7x as fast with a fresh gather per layer and 1.0x into the workspace;
 * groups of 1 MiB were 1.1x at 450 positions, 1.4x at 128, 2x at 16. Longer prompt chunks keep a
 * call each; their masks are built once per step, and from position 0 they read their own K/V.
 *
 * <p>Padding repeats a slot the sequence has written (its position 0, written at the latest by this
 * very step): the pool starts uninitialised, and a masked key still multiplies its value by zero,
 * which a NaN in a never-written slot would survive.
 */
final class PagedAttention {

    /** Gathered K + V bytes one group of one-row segments may take (a single longer one goes alone). */
    static final long GROUP_BYTES = 1L << 20;

    private final PagedKvPool pool;
    private final Tensor writeSlots;      // (R) int64, every row's slot, in row order
    private final int numRows;
    private final Tensor singleRows;      // (Bd) int64 rows of the one-row segments; null if they are all rows
    private final List<Group> groups;     // the one-row segments, in row order
    private final Tensor keyWork;         // (rows of the largest group's gather, nKV, d): every group
    private final Tensor valueWork;       // of every layer gathers here, so the copy stays in cache
    private final List<Chunk> chunks;     // segments of more than one row

    /**
     * One-row segments {@code first .. first + size - 1} (counted among one-row segments).
     *
     * @param slots (size * maxContext) int64, row-major (size, maxContext)
     * @param mask  (size, 1, 1, maxContext) bool, key j valid iff j &lt;= position; null for one segment
     */
    private record Group(int first, int size, int maxContext, Tensor slots, Tensor mask) {
    }

    /** A prompt chunk of n &gt; 1 rows; readSlots and mask are null when it starts at position 0. */
    private record Chunk(int rowOffset, int numRows, Tensor readSlots, Tensor mask) {
    }

    private PagedAttention(PagedKvPool pool, Tensor writeSlots, int numRows, Tensor singleRows, List<Group> groups,
                           List<Chunk> chunks) {
        this.pool = pool;
        this.writeSlots = writeSlots;
        this.numRows = numRows;
        this.singleRows = singleRows;
        this.groups = groups;
        long workRows = groups.stream().mapToLong(g -> (long) g.size() * g.maxContext()).max().orElse(0);
        Tensor slots = pool.keys(0);                                                     // (slots, nKV, d)
        this.keyWork = workRows == 0 ? null : slots.new_empty(workRows, slots.size(1), slots.size(2));
        this.valueWork = workRows == 0 ? null : slots.new_empty(workRows, slots.size(1), slots.size(2));
        this.chunks = chunks;
    }

    static PagedAttention plan(List<PassRows.Segment> segments, int numRows, Device device) {
        return plan(segments, numRows, device, GROUP_BYTES);
    }

    /**
     * Plans a pass once per step; its tensors belong to the caller's (the step's) scope.
     *
     * @return null unless every segment's store is a {@link PagedKvStore} of one pool
     */
    static PagedAttention plan(List<PassRows.Segment> segments, int numRows, Device device, long groupBytes) {
        PagedKvPool pool = commonPool(segments);
        if (pool == null) {
            return null;
        }
        List<Tensor> writes = new ArrayList<>();
        List<Tensor> singleReads = new ArrayList<>();
        long[] singleRows = new long[segments.size()];
        int[] lengths = new int[segments.size()];
        int bd = 0;
        List<Chunk> chunks = new ArrayList<>();
        for (PassRows.Segment s : segments) {
            PagedKvStore kv = (PagedKvStore) s.kv();
            writes.add(kv.writeSlots());
            if (s.numRows() == 1) {
                singleReads.add(kv.readSlots());
                singleRows[bd] = s.rowOffset();
                lengths[bd++] = s.startPosition() + 1;
            } else if (s.startPosition() == 0) {
                chunks.add(new Chunk(s.rowOffset(), s.numRows(), null, null));
            } else {
                chunks.add(new Chunk(s.rowOffset(), s.numRows(), kv.readSlots(),
                        Attention.chunkMask(s.numRows(), s.startPosition(), device)));
            }
        }
        List<Group> groups = bd == 0 ? List.of()
                : groups(cat(singleReads), Arrays.copyOf(lengths, bd), pool.bytesPerSlot() * 2, groupBytes, device);
        Tensor rows = bd == numRows ? null : Ops.longs(Arrays.copyOf(singleRows, bd), device);
        return new PagedAttention(pool, cat(writes), numRows, rows, groups, chunks);
    }

    /**
     * Writes the pass's new K/V into the pool and attends every row over its context.
     *
     * @param q (R, nH, d) rotated queries of the pass's rows
     * @param k (R, nKV, d) rotated keys
     * @param v (R, nKV, d)
     * @return (R, nH * d)
     */
    Tensor apply(int layer, Tensor q, Tensor k, Tensor v, double scale) {
        Tensor keys = pool.keys(layer);                                                  // (slots, nKV, d)
        Tensor values = pool.values(layer);
        keys.index_copy_(0, writeSlots, k);       // in place: returns the pool's own tensor, never close it
        values.index_copy_(0, writeSlots, v);
        Tensor singles = groups.isEmpty() ? null : singles(q, keys, values, scale);     // (Bd, nH*d)
        if (chunks.isEmpty()) {
            return singles;
        }
        if (singles == null && chunks.size() == 1) {
            return chunk(chunks.get(0), q, k, v, keys, values, scale);
        }
        Tensor out = q.new_empty(numRows, q.size(1) * q.size(2));                       // (R, nH*d)
        if (singles != null) {
            out.index_copy_(0, singleRows, singles);
        }
        for (Chunk c : chunks) {
            out.narrow(0, c.rowOffset(), c.numRows()).copy_(chunk(c, q, k, v, keys, values, scale));
        }
        return out;
    }

    /** The one-row segments, a call per group: (Bd, nH*d). */
    private Tensor singles(Tensor q, Tensor keys, Tensor values, double scale) {
        long nKv = keys.size(1);
        long d = keys.size(2);
        Tensor qs = singleRows == null ? q : q.index_select(0, singleRows);              // (Bd, nH, d)
        Tensor[] outs = new Tensor[groups.size()];
        for (int i = 0; i < outs.length; i++) {
            Group g = groups.get(i);
            long n = (long) g.size() * g.maxContext();
            Tensor kg = keyWork.narrow(0, 0, n);                                          // (G*Lmax, nKV, d)
            Tensor vg = valueWork.narrow(0, 0, n);
            torch.index_select_out(kg, keys, 0, g.slots());    // fills kg; its result is kg itself, unused
            torch.index_select_out(vg, values, 0, g.slots());
            Tensor kh = kg.view(g.size(), g.maxContext(), nKv, d).transpose(1, 2);      // (G, nKV, Lmax, d)
            Tensor vh = vg.view(g.size(), g.maxContext(), nKv, d).transpose(1, 2);      // (G, nKV, Lmax, d)
            TensorOptional mask = g.mask() == null ? new TensorOptional() : new TensorOptional(g.mask());
            Tensor out = torch.scaled_dot_product_attention(qs.narrow(0, g.first(), g.size()).unsqueeze(2),
                    kh, vh, mask, 0.0, false, new DoubleOptional(scale), true);          // (G, nH, 1, d)
            outs[i] = out.reshape(g.size(), -1);                                          // (G, nH*d)
        }
        return outs.length == 1 ? outs[0] : torch.cat(new TensorVector(outs), 0);       // (Bd, nH*d)
    }

    /** A prompt chunk of n rows: (n, nH*d). From position 0 its context is its own new K/V, no gather. */
    private static Tensor chunk(Chunk c, Tensor q, Tensor k, Tensor v, Tensor keys, Tensor values, double scale) {
        Tensor qh = q.narrow(0, c.rowOffset(), c.numRows()).transpose(0, 1).unsqueeze(0); // (1, nH, n, d)
        Tensor ctxK = c.readSlots() == null ? k.narrow(0, c.rowOffset(), c.numRows()) : keys.index_select(0, c.readSlots());
        Tensor ctxV = c.readSlots() == null ? v.narrow(0, c.rowOffset(), c.numRows()) : values.index_select(0, c.readSlots());
        Tensor kh = ctxK.transpose(0, 1).unsqueeze(0);                                   // (1, nKV, L, d)
        Tensor vh = ctxV.transpose(0, 1).unsqueeze(0);                                   // (1, nKV, L, d)
        TensorOptional mask = c.mask() == null ? new TensorOptional() : new TensorOptional(c.mask());
        Tensor out = torch.scaled_dot_product_attention(qh, kh, vh, mask, 0.0, c.mask() == null,
                new DoubleOptional(scale), true);                                        // (1, nH, n, d)
        return out.squeeze(0).transpose(0, 1).reshape(c.numRows(), -1);                 // (n, nH*d)
    }

    private static PagedKvPool commonPool(List<PassRows.Segment> segments) {
        PagedKvPool pool = null;
        for (PassRows.Segment s : segments) {
            if (!(s.kv() instanceof PagedKvStore kv) || (pool != null && kv.pool() != pool)) {
                return null;
            }
            pool = kv.pool();
        }
        return pool;
    }

    /**
     * Cuts the one-row segments, in order, into groups of at most {@code groupBytes} of gathered
     * K/V, and builds every group's padded slot table with one gather from their read slots.
     *
     * @param reads the one-row segments' read slots, concatenated: (sum of lengths)
     */
    private static List<Group> groups(Tensor reads, int[] lengths, long bytesPerPosition, long groupBytes,
                                      Device device) {
        List<int[]> cuts = new ArrayList<>();                     // first, size, maxContext
        int first = 0;
        int lmax = 0;
        for (int b = 0; b < lengths.length; b++) {
            int wider = Math.max(lmax, lengths[b]);
            if (b > first && (long) (b - first + 1) * wider * bytesPerPosition > groupBytes) {
                cuts.add(new int[] {first, b - first, lmax});
                first = b;
                wider = lengths[b];
            }
            lmax = wider;
        }
        cuts.add(new int[] {first, lengths.length - first, lmax});
        long[] offsets = new long[lengths.length];
        for (int b = 1; b < lengths.length; b++) {
            offsets[b] = offsets[b - 1] + lengths[b - 1];
        }
        long[] index = new long[cuts.stream().mapToInt(c -> c[1] * c[2]).sum()];
        int at = 0;
        for (int[] c : cuts) {
            for (int b = c[0]; b < c[0] + c[1]; b++) {
                for (int j = 0; j < c[2]; j++) {
                    index[at++] = offsets[b] + (j < lengths[b] ? j : 0);   // padding: the row's position 0
                }
            }
        }
        Tensor table = cuts.size() == 1 && cuts.get(0)[1] == 1 ? reads
                : reads.index_select(0, Ops.longs(index, device));         // (sum of G*Lmax)
        List<Group> groups = new ArrayList<>();
        at = 0;
        for (int[] c : cuts) {
            long n = (long) c[1] * c[2];
            Tensor mask = c[1] == 1 ? null : keyMask(Arrays.copyOfRange(lengths, c[0], c[0] + c[1]), c[2], device);
            groups.add(new Group(c[0], c[1], c[2], table.narrow(0, at, n), mask));
            at += n;
        }
        return groups;
    }

    /** (G, 1, 1, Lmax) bool: j &lt; length of row b. */
    private static Tensor keyMask(int[] lengths, int lmax, Device device) {
        long[] ls = Arrays.stream(lengths).asLongStream().toArray();
        try (TensorOptions longs = new TensorOptions(ScalarType.Long)) {
            Tensor keys = torch.arange(new Scalar((double) lmax), longs).view(1, 1, 1, lmax);        // (1, 1, 1, Lmax)
            Tensor mask = keys.lt(AbstractTensor.create(ls).view(ls.length, 1, 1, 1));              // (G, 1, 1, Lmax)
            return device.is_cuda() ? mask.to(device, ScalarType.Bool) : mask;
        }
    }

    private static Tensor cat(List<Tensor> parts) {
        return parts.size() == 1 ? parts.get(0) : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }
}
