package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One Phi-3 decoder layer (docs/TROL_3_8B.md §4): {@code h = x + o_proj(attn(input_layernorm(x)))},
 * {@code out = h + down_proj(up * silu(gate))} with {@code gate | up = gate_up_proj(post_attention_layernorm(h))}.
 * Traversal calls it twice per prompt row ({@link Traversal}, §5).
 *
 * <p>Unlike InternLM2's kv-head-major wqkv ({@link DecoderLayer}), qkv_proj splits plainly, and is
 * viewed as (R, 1, nH + 2 nKV, d) so that one rotation covers queries and keys:
 * <pre>
 * one row of qkv_proj(x), nH + 2 nKV heads of d values:
 * | q[0] q[1] .. q[nH-1] | k[0] .. k[nKV-1] | v[0] .. v[nKV-1] |
 *   \___________ rotated together __________/
 * </pre>
 * Key/value head h serves query heads h*g .. h*g+g-1 (repeat_kv), as SDPA's GQA pairs them.
 */
final class Phi3DecoderLayer {

    private final int index;
    private final Phi3LayerWeights w;
    private final Phi3Config config;
    private final double scale;

    Phi3DecoderLayer(int index, Phi3LayerWeights w, Phi3Config config) {
        this.index = index;
        this.w = w;
        this.config = config;
        this.scale = 1.0 / Math.sqrt(config.headDim());
    }

    Phi3LayerWeights weights() {
        return w;
    }

    /**
     * Each half runs in its own scope ({@link Ops#scoped}), so a pass holds one half's temporaries.
     *
     * @param x (R, H) the pass's input rows
     * @return (R, H)
     */
    Tensor forward(Tensor x, PassRows rows) {
        Tensor h = Ops.scoped(() -> x.add(attention(x, rows)));                             // (R, H)
        return Ops.scoped(() -> h.add(mlp(h)));                                             // (R, H)
    }

    /** o_proj(attn(input_layernorm(x))): (R, H). */
    private Tensor attention(Tensor x, PassRows rows) {
        int nH = config.numHeads();
        int nKv = config.numKvHeads();
        Tensor normed = Ops.rmsNorm(x, w.inputLayernorm(), config.rmsNormEps());             // (R, H)
        Tensor heads = Ops.linear(normed, w.qkvProj(), null)
                .view(x.size(0), 1, nH + 2 * nKv, config.headDim());                         // (R, 1, nH+2nKV, d)
        Tensor qk = RotaryEmbedding.apply(heads.narrow(2, 0, nH + nKv), rows.cos(), rows.sin()); // (R, 1, nH+nKV, d)
        Tensor q = qk.narrow(2, 0, nH).squeeze(1);                                           // (R, nH, d)
        Tensor k = qk.narrow(2, nH, nKv).squeeze(1);                                         // (R, nKV, d)
        Tensor v = heads.narrow(2, nH + nKv, nKv).squeeze(1);                                // (R, nKV, d)
        Tensor attended = SlidingWindowAttention.apply(index, q, k, v, rows, scale, config.slidingWindow()); // (R, nH*d)
        return Ops.linear(attended, w.oProj(), null);                                        // (R, H)
    }

    /** down_proj(up * silu(gate)) on post_attention_layernorm(h): (R, H). */
    private Tensor mlp(Tensor h) {
        int i = config.intermediateSize();
        Tensor n = Ops.rmsNorm(h, w.postAttentionLayernorm(), config.rmsNormEps());          // (R, H)
        Tensor gateUp = Ops.linear(n, w.gateUpProj(), null);                                 // (R, 2I)
        Tensor gated = gateUp.narrow(1, i, i).mul(torch.silu(gateUp.narrow(1, 0, i)));       // (R, I)
        return Ops.linear(gated, w.downProj(), null);                                        // (R, H)
    }
}
