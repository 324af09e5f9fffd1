package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

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
 * Causal grouped-query attention of each sequence's new rows over its K/V context (TROL_SPEC §4):
 * scale 1/sqrt(d), kv head h serving query heads h*g .. h*g+g-1.
 *
 * <p>The mask is chosen per segment because libtorch's {@code is_causal} is top-left aligned:
 * <pre>
 * n new rows, context of L = start + n keys
 * n == 1          : no mask, the token sees all L keys
 * start == 0      : is_causal (square, top-left == bottom-right)
 * otherwise       : explicit mask, row i sees keys j &lt;= start + i
 * </pre>
 * A pass whose stores all live in the engine's paged pool goes through {@link PagedAttention},
 * which batches its one-row segments under the same masks; this per-segment path serves every
 * other store (the one-request generator's contiguous ones) and is the oracle it is tested against.
 */
final class Attention {

    private Attention() {
    }

    /**
     * @param q (R, nH, d) rotated queries of the pass's rows
     * @param k (R, nKV, d) rotated keys
     * @param v (R, nKV, d)
     * @return (R, nH * d)
     */
    static Tensor apply(int layer, Tensor q, Tensor k, Tensor v, PassRows rows, double scale) {
        if (rows.paged() != null) {
            return rows.paged().apply(layer, q, k, v, scale);
        }
        return perSegment(layer, q, k, v, rows, scale);
    }

    /**
     * An explicit mask for a segment of {@code n} new rows from position {@code start}: an (n, start + n)
     * boolean tensor, row i may attend to key j where it is true.
     */
    interface SegmentMask {
        Tensor of(int n, int start, Device device);
    }

    /** One call per segment through {@link KvStore#append}: any store, the oracle's included. */
    static Tensor perSegment(int layer, Tensor q, Tensor k, Tensor v, PassRows rows, double scale) {
        return perSegment(layer, q, k, v, rows, scale, null);
    }

    /**
     * As {@link #perSegment(int, Tensor, Tensor, Tensor, PassRows, double)}, with {@code explicit}
     * (when not null) masking every segment instead of the causal rule of the class comment.
     */
    static Tensor perSegment(int layer, Tensor q, Tensor k, Tensor v, PassRows rows, double scale,
                             SegmentMask explicit) {
        List<Tensor> outputs = new ArrayList<>();
        for (PassRows.Segment s : rows.segments()) {
            Tensor qs = q.narrow(0, s.rowOffset(), s.numRows());                        // (n, nH, d)
            KvStore.KeyValues ctx = s.kv().append(layer, s.startPosition(),
                    k.narrow(0, s.rowOffset(), s.numRows()), v.narrow(0, s.rowOffset(), s.numRows()));
            Tensor qh = qs.transpose(0, 1).unsqueeze(0);                                 // (1, nH, n, d)
            Tensor kh = ctx.keys().transpose(0, 1).unsqueeze(0);                         // (1, nKV, L, d)
            Tensor vh = ctx.values().transpose(0, 1).unsqueeze(0);                       // (1, nKV, L, d)
            boolean causal = explicit == null && s.numRows() > 1 && s.startPosition() == 0;
            TensorOptional mask = explicit != null
                    ? new TensorOptional(explicit.of(s.numRows(), s.startPosition(), q.device()))
                    : s.numRows() > 1 && s.startPosition() > 0
                    ? new TensorOptional(chunkMask(s.numRows(), s.startPosition(), q.device()))
                    : new TensorOptional();
            Tensor out = torch.scaled_dot_product_attention(qh, kh, vh, mask, 0.0, causal,
                    new DoubleOptional(scale), true);                                   // (1, nH, n, d)
            outputs.add(out.squeeze(0).transpose(0, 1).reshape(s.numRows(), -1));       // (n, nH*d)
        }
        return outputs.size() == 1 ? outputs.get(0)
                : torch.cat(new TensorVector(outputs.toArray(new Tensor[0])), 0);       // (R, nH*d)
    }

    /** (n, start + n) boolean: row i may attend to key j iff j <= start + i. */
    static Tensor chunkMask(int n, int start, Device device) {
        try (TensorOptions longs = new TensorOptions(ScalarType.Long)) {
            Tensor keys = torch.arange(new Scalar((double) (start + n)), longs).unsqueeze(0);        // (1, L)
            Tensor queries = torch.arange(new Scalar((double) start), new Scalar((double) (start + n)), longs)
                    .unsqueeze(1);                                                                  // (n, 1)
            Tensor mask = keys.le(queries);                                                         // (n, L)
            return device.is_cuda() ? mask.to(device, ScalarType.Bool) : mask;
        }
    }
}
