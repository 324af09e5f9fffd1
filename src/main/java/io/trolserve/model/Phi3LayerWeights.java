package io.trolserve.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.bytedeco.pytorch.Tensor;

/**
 * Weights of one Phi-3 decoder layer of TroL-3.8B plus its traversal gate, and their checkpoint
 * names (docs/TROL_3_8B.md §1.3). No biases, no Plora.
 *
 * @param qkvProj    ((nH + 2 nKV) d, H): rows of Q, then K, then V
 * @param oProj      (H, nH d)
 * @param gateUpProj (2I, H): rows of gate, then up
 * @param downProj   (H, I)
 * @param gateWeight (1, H): the layer's entry of trol_gating.pt (§1.4)
 * @param gateBias   (1)
 */
public record Phi3LayerWeights(
        Tensor inputLayernorm,
        Tensor qkvProj,
        Tensor oProj,
        Tensor postAttentionLayernorm,
        Tensor gateUpProj,
        Tensor downProj,
        Tensor gateWeight,
        Tensor gateBias) {

    public static final String INPUT_LAYERNORM = "input_layernorm.weight";
    public static final String QKV_PROJ = "self_attn.qkv_proj.weight";
    public static final String O_PROJ = "self_attn.o_proj.weight";
    public static final String POST_ATTENTION_LAYERNORM = "post_attention_layernorm.weight";
    public static final String GATE_UP_PROJ = "mlp.gate_up_proj.weight";
    public static final String DOWN_PROJ = "mlp.down_proj.weight";

    /** {@code language_model.model.layers.{layer}.{suffix}}. */
    public static String name(int layer, String suffix) {
        return "language_model.model.layers." + layer + "." + suffix;
    }

    /** Every tensor of one layer in the model file, by name, with the shape config.json implies. */
    public static Map<String, long[]> shapes(int layer, Phi3Config c) {
        long h = c.hiddenSize();
        Map<String, long[]> out = new LinkedHashMap<>();
        out.put(name(layer, INPUT_LAYERNORM), new long[] {h});
        out.put(name(layer, QKV_PROJ), new long[] {c.qkvRows(), h});
        out.put(name(layer, O_PROJ), new long[] {h, (long) c.numHeads() * c.headDim()});
        out.put(name(layer, POST_ATTENTION_LAYERNORM), new long[] {h});
        out.put(name(layer, GATE_UP_PROJ), new long[] {2L * c.intermediateSize(), h});
        out.put(name(layer, DOWN_PROJ), new long[] {h, c.intermediateSize()});
        return out;
    }

    /** One layer's tensors picked by name from whatever holds them (shapes checked by the caller). */
    public static Phi3LayerWeights of(int layer, Function<String, Tensor> tensors, Tensor gateWeight, Tensor gateBias) {
        return new Phi3LayerWeights(
                tensors.apply(name(layer, INPUT_LAYERNORM)),
                tensors.apply(name(layer, QKV_PROJ)),
                tensors.apply(name(layer, O_PROJ)),
                tensors.apply(name(layer, POST_ATTENTION_LAYERNORM)),
                tensors.apply(name(layer, GATE_UP_PROJ)),
                tensors.apply(name(layer, DOWN_PROJ)),
                gateWeight,
                gateBias);
    }
}
