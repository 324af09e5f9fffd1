package io.trolserve.model;


import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Phi-3's causal attention with its optional sliding window (docs/TROL_3_8B.md §4): the official
 * layer calls flash-attn with {@code window_size = (sw, sw)} once a call's key count exceeds
 * {@code sliding_window}, so the query at position p sees keys p - sw .. p. Applying that window
 * always is the same thing, because it cuts a key only when p &gt; sw, which needs more than sw keys:
 * <pre>
 * sw = 2, rows at positions 0..4:   keys 0 1 2 3 4
 *                                p=0  x
 *                                p=1  x x
 *                                p=2  x x x
 *                                p=3    x x x        key 0 cut
 *                                p=4      x x x      keys 0, 1 cut
 * </pre>
 * While no row of the pass has a key to cut, this is {@link Attention} (paged or not). Otherwise
 * every segment attends through {@link KvStore#append} under an explicit window mask: the paged
 * plan has no window, and a store of any kind can append.
 */
final class SlidingWindowAttention {

    private SlidingWindowAttention() {
    }

    /**
     * @param q      (R, nH, d) rotated queries of the pass's rows
     * @param k      (R, nKV, d) rotated keys
     * @param v      (R, nKV, d)
     * @param window {@code sliding_window}, or null for none
     * @return (R, nH * d)
     */
    static Tensor apply(int layer, Tensor q, Tensor k, Tensor v, PassRows rows, double scale, Integer window) {
        if (window == null || !cutsAnyKey(rows, window)) {
            return Attention.apply(layer, q, k, v, rows, scale);
        }
        return Attention.perSegment(layer, q, k, v, rows, scale,
                (n, start, device) -> windowMask(n, start, window, device));             // (R, nH*d)
    }

    /** Whether some row's window starts after key 0: its position exceeds the window. */
    static boolean cutsAnyKey(PassRows rows, int window) {
        for (PassRows.Segment s : rows.segments()) {
            if (s.startPosition() + s.numRows() - 1 > window) {
                return true;
            }
        }
        return false;
    }

    /** (n, start + n) boolean: row i, at position p = start + i, may attend to key j iff p - window &lt;= j &lt;= p. */
    static Tensor windowMask(int n, int start, int window, Device device) {
        try (TensorOptions longs = new TensorOptions(ScalarType.Long)) {
            Tensor keys = torch.arange(new Scalar((double) (start + n)), longs).unsqueeze(0);        // (1, L)
            Tensor queries = torch.arange(new Scalar((double) start), new Scalar((double) (start + n)), longs)
                    .unsqueeze(1);                                                                  // (n, 1)
            Tensor mask = keys.le(queries).logical_and(keys.ge(queries.sub(new Scalar((double) window)))); // (n, L)
            return device.is_cuda() ? mask.to(device, ScalarType.Bool) : mask;
        }
    }
}
