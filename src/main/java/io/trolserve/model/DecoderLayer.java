package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One InternLM2 decoder layer with Plora (TROL_SPEC §4):
 * {@code h = x + wo(attn(attention_norm(x)))}, {@code out = h + w2(silu(w1 n) * w3 n)},
 * {@code n = ffn_norm(h)}. Traversal calls it twice per prompt row ({@link Traversal}).
 *
 * <p>The fused wqkv output is kv-head-major, which is why it is viewed as (R, nKV, g+2, d):
 * <pre>
 * one row of wqkv(x), nKV groups of (g + 2) slots of d values:
 * | q[0] q[1] .. q[g-1] k v | q[g] .. q[2g-1] k v | ... |
 *   \__ query heads 0..g-1 _/ \_ key/value head 0 ...
 * </pre>
 * A plain "all q, then all k, then all v" split would pair queries with the wrong keys.
 */
final class DecoderLayer {

    private final int index;
    private final DecoderLayerWeights w;
    private final TrolConfig config;
    private final double scale;

    DecoderLayer(int index, DecoderLayerWeights w, TrolConfig config) {
        this.index = index;
        this.w = w;
        this.config = config;
        this.scale = 1.0 / Math.sqrt(config.headDim());
    }

    DecoderLayerWeights weights() {
        return w;
    }

    /**
     * Each half runs in its own scope ({@link Ops#scoped}), so that a pass holds at most one half's
     * temporaries: the MLP's four (R, I) tensors are gone before the next layer starts.
     *
     * @param x (R, H) the pass's input rows
     * @return (R, H)
     */
    Tensor forward(Tensor x, PassRows rows) {
        Tensor h = Ops.scoped(() -> x.add(attention(x, rows)));                             // (R, H)
        return Ops.scoped(() -> h.add(mlp(h, rows)));                                       // (R, H)
    }

    /** wo(attn(attention_norm(x))): (R, H). */
    private Tensor attention(Tensor x, PassRows rows) {
        int g = config.groups();
        Tensor normed = Ops.rmsNorm(x, w.attentionNorm(), config.rmsNormEps());           // (R, H)
        Tensor grouped = grouped(Plora.apply(w.wqkv(), normed, rows.imageRows()), config); // (R, nKV, g+2, d)
        // queries and the key share one rotation: slots 0..g of each group
        Tensor qk = RotaryEmbedding.apply(grouped.narrow(2, 0, g + 1), rows.cos(), rows.sin()); // (R, nKV, g+1, d)
        Tensor q = queries(qk, config);                                                    // (R, nH, d)
        Tensor k = keys(qk, config);                                                       // (R, nKV, d)
        Tensor v = values(grouped, config);                                                // (R, nKV, d)
        Tensor attended = Attention.apply(index, q, k, v, rows, scale);                    // (R, nH*d)
        return Plora.apply(w.wo(), attended, rows.imageRows());                            // (R, H)
    }

    /** w2(silu(w1 n) * w3 n), n = ffn_norm(h): (R, H). */
    private Tensor mlp(Tensor h, PassRows rows) {
        Tensor n = Ops.rmsNorm(h, w.ffnNorm(), config.rmsNormEps());                       // (R, H)
        Tensor gated = torch.silu(Plora.apply(w.w1(), n, rows.imageRows()))
                .mul(Plora.apply(w.w3(), n, rows.imageRows()));                            // (R, I)
        return Plora.apply(w.w2(), gated, rows.imageRows());                               // (R, H)
    }

    /** wqkv output (R, (nH + 2 nKV) d) viewed kv-head-major as (R, nKV, g+2, d). */
    static Tensor grouped(Tensor qkv, TrolConfig c) {
        return qkv.view(qkv.size(0), c.numKvHeads(), c.groups() + 2, c.headDim());
    }

    /** Slots 0..g-1 of each group, flattened so that query head h*g+j is slot j of group h: (R, nH, d). */
    static Tensor queries(Tensor grouped, TrolConfig c) {
        return grouped.narrow(2, 0, c.groups()).reshape(grouped.size(0), c.numHeads(), c.headDim());
    }

    /** Slot g of each group: (R, nKV, d). */
    static Tensor keys(Tensor grouped, TrolConfig c) {
        return grouped.select(2, c.groups());
    }

    /** Slot g+1 of each group: (R, nKV, d). */
    static Tensor values(Tensor grouped, TrolConfig c) {
        return grouped.select(2, c.groups() + 1);
    }
}
