package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Traversal of one layer (TROL_SPEC §5, arXiv 2406.12246): prompt rows go through the layer twice
 * and the two results are mixed per token by the learned gate; decode rows go through once.
 * <pre>
 * h1 = layer(x)                      all rows, pass-1 K/V into the cache
 * h2 = layer(h1)                     traversed rows only, pass-2 K/V into the temporary store
 * s  = 0.5 tanh(gate(h1)) + 0.5      per traversed row
 * x  = h1 (1 - s) + h2 s             traversed rows; other rows keep h1
 * </pre>
 * The same for TroL-3.8B's Phi-3 layers (docs/TROL_3_8B.md §5): there pass 2 officially sees only
 * the call's own pass-2 K/V, which is what the temporary store holds for a prompt from position 0,
 * and it holds the earlier chunks' too, as the whole-prompt forward sees them (§5, point 2).
 */
final class Traversal {

    private Traversal() {
    }

    /** One pass of a decoder layer over a pass's rows: (R, H) to (R, H). */
    @FunctionalInterface
    interface LayerPass {
        Tensor forward(Tensor x, PassRows rows);
    }

    /** An InternLM2 layer with its gate. */
    static Tensor apply(DecoderLayer layer, Tensor x, PassRows firstPass, PassRows secondPass,
                        Tensor traversed, boolean anyTraversed) {
        DecoderLayerWeights w = layer.weights();
        return apply(layer::forward, w.gateWeight(), w.gateBias(), x, firstPass, secondPass, traversed, anyTraversed);
    }

    /**
     * @param gateWeight  (1, H) the layer's gate, a Linear(H -&gt; 1)
     * @param gateBias    (1)
     * @param x           (R, H)
     * @param traversed   int64 indices of the traversed rows among all R, or null when every
     *                    row is traversed (a pure prefill step)
     * @param anyTraversed whether pass 2 runs at all
     */
    static Tensor apply(LayerPass layer, Tensor gateWeight, Tensor gateBias, Tensor x, PassRows firstPass,
                        PassRows secondPass, Tensor traversed, boolean anyTraversed) {
        Tensor h1 = layer.forward(x, firstPass);                                           // (R, H)
        if (!anyTraversed) {
            return h1;
        }
        Tensor h1Prompt = traversed == null ? h1 : h1.index_select(0, traversed);         // (P, H)
        Tensor h2 = layer.forward(h1Prompt, secondPass);                                   // (P, H)
        Tensor s = torch.tanh(Ops.linear(h1Prompt, gateWeight, gateBias))
                .mul(Ops.HALF).add(Ops.HALF);                                               // (P, 1)
        Tensor mixed = h1Prompt.mul(torch.rsub(s, Ops.ONE, Ops.ONE)).add(h2.mul(s));               // (P, H)
        if (traversed == null) {
            return mixed;
        }
        return h1.index_copy_(0, traversed, mixed);
    }
}
