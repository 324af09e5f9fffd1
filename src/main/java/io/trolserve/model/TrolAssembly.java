package io.trolserve.model;

import static io.trolserve.model.CheckpointLayout.layer;
import static io.trolserve.model.CheckpointLayout.visionLayer;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * Puts a TroL-1.8B/7B model together from tensors known by their checkpoint names
 * ({@link CheckpointLayout}): which tensor is which layer's wqkv, which CLIP layer's stacked q/k/v,
 * and so on. The loader feeds it tensors from the mapped files; {@code train-tiny} feeds it its
 * parameters, so the model it trains is the model the service runs, built by the same code.
 */
public final class TrolAssembly {

    private TrolAssembly() {
    }

    /** Where the tensors come from. Each call returns a tensor in the model's placement. */
    public interface Source {

        /** The tensor stored under {@code name}. */
        Tensor tensor(String name);

        /** The tensors stored under {@code names}, concatenated along dimension 0. */
        Tensor stacked(List<String> names);

        /** The CLIP position table for a grid x grid image, class row first: (grid^2 + 1, C). */
        Tensor positionTable(int grid);

        /** Layer {@code i}'s traversal gate: weight (1, H) and bias (1). */
        Tensor gateWeight(int layer);

        Tensor gateBias(int layer);
    }

    /**
     * @param owned the tensors the weights free on close: those the source made for them (the
     *              caller decides; a trainer's parameters are not in it)
     */
    public static TrolWeights assemble(TrolConfig c, Placement placement, Source source, List<Tensor> owned) {
        List<DecoderLayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(new DecoderLayerWeights(
                    source.tensor(layer(i, "attention_norm.weight")),
                    plora(source, c, layer(i, "attention.wqkv")),
                    plora(source, c, layer(i, "attention.wo")),
                    source.tensor(layer(i, "ffn_norm.weight")),
                    plora(source, c, layer(i, "feed_forward.w1")),
                    plora(source, c, layer(i, "feed_forward.w3")),
                    plora(source, c, layer(i, "feed_forward.w2")),
                    source.gateWeight(i),
                    source.gateBias(i)));
        }
        return new TrolWeights(c, placement, source.tensor(CheckpointLayout.EMBED_TOKENS), layers,
                source.tensor(CheckpointLayout.FINAL_NORM), source.tensor(CheckpointLayout.OUTPUT), vision(c, source),
                owned);
    }

    /** A runnable model over assembled weights; closing it closes them. */
    public static TrolModel model(TrolWeights weights) {
        return InternLm2Trol.of(weights);
    }

    private static PloraWeights plora(Source source, TrolConfig c, String module) {
        boolean hasBias = c.bias() && (module.endsWith("wqkv") || module.endsWith("wo"));
        return new PloraWeights(
                source.tensor(module + ".ffn.weight"),
                hasBias ? source.tensor(module + ".ffn.bias") : null,
                source.tensor(module + ".lora_A.weight"),
                source.tensor(module + ".lora_B.weight"));
    }

    private static VisionWeights vision(TrolConfig c, Source source) {
        List<VisionWeights.Layer> layers = new ArrayList<>();
        for (int j = 0; j < c.vision().numLayers(); j++) {
            layers.add(new VisionWeights.Layer(
                    source.tensor(visionLayer(j, "layer_norm1.weight")),
                    source.tensor(visionLayer(j, "layer_norm1.bias")),
                    source.stacked(qkv(j, "weight")),
                    source.stacked(qkv(j, "bias")),
                    source.tensor(visionLayer(j, "self_attn.out_proj.weight")),
                    source.tensor(visionLayer(j, "self_attn.out_proj.bias")),
                    source.tensor(visionLayer(j, "layer_norm2.weight")),
                    source.tensor(visionLayer(j, "layer_norm2.bias")),
                    source.tensor(visionLayer(j, "mlp.fc1.weight")),
                    source.tensor(visionLayer(j, "mlp.fc1.bias")),
                    source.tensor(visionLayer(j, "mlp.fc2.weight")),
                    source.tensor(visionLayer(j, "mlp.fc2.bias"))));
        }
        return new VisionWeights(
                source.tensor(CheckpointLayout.CLASS_EMBEDDING),
                source.tensor(CheckpointLayout.PATCH_EMBEDDING),
                source.positionTable(c.vision().gridSize()),
                source.tensor(CheckpointLayout.PRE_NORM + ".weight"),
                source.tensor(CheckpointLayout.PRE_NORM + ".bias"),
                layers,
                source.tensor(CheckpointLayout.PROJECTOR_IN + ".weight"),
                source.tensor(CheckpointLayout.PROJECTOR_IN + ".bias"),
                source.tensor(CheckpointLayout.PROJECTOR_OUT + ".weight"),
                source.tensor(CheckpointLayout.PROJECTOR_OUT + ".bias"));
    }

    /** One CLIP layer's q, k and v projections, in the order they are stacked into (3C, C) / (3C). */
    private static List<String> qkv(int j, String kind) {
        return List.of(visionLayer(j, "self_attn.q_proj." + kind), visionLayer(j, "self_attn.k_proj." + kind),
                visionLayer(j, "self_attn.v_proj." + kind));
    }
}
