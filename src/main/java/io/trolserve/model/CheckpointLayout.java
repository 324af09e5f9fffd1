package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Tensor names and shapes of a published TroL (InternLM2 variant) checkpoint, as the official
 * modules name them (TROL_SPEC §1). The loader checks a checkpoint against this table and
 * {@code init-tiny} writes exactly this table, so the two cannot drift apart.
 */
public final class CheckpointLayout {

    /** The traversal gates as the official code saves them ({@code torch.save} of a state dict). */
    public static final String GATES_TORCH_FILE = "trol_gating.pt";
    /** The same gates converted to safetensors, read when the torch file is absent. */
    public static final String GATES_SAFETENSORS_FILE = "trol_gating.safetensors";

    public static final String VIT = "vit.vision_tower.vision_model.";
    public static final String EMBED_TOKENS = "model.tok_embeddings.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String OUTPUT = "output.weight";
    public static final String CLASS_EMBEDDING = VIT + "embeddings.class_embedding";
    public static final String PATCH_EMBEDDING = VIT + "embeddings.patch_embedding.weight";
    public static final String POSITION_EMBEDDING = VIT + "embeddings.position_embedding.weight";
    public static final String PRE_NORM = VIT + "pre_layrnorm";
    public static final String PROJECTOR_IN = "vision_proj.0";
    public static final String PROJECTOR_OUT = "vision_proj.2";

    /** The five Plora projections of a decoder layer, by their module path inside the layer. */
    public static final List<String> PLORA_MODULES = List.of(
            "attention.wqkv", "attention.wo", "feed_forward.w1", "feed_forward.w2", "feed_forward.w3");

    public record Expected(String name, long[] shape) {
    }

    private CheckpointLayout() {
    }

    public static String layer(int i, String suffix) {
        return "model.layers." + i + "." + suffix;
    }

    public static String visionLayer(int j, String suffix) {
        return VIT + "encoder.layers." + j + "." + suffix;
    }

    public static String gateWeight(int i) {
        return i + ".weight";
    }

    public static String gateBias(int i) {
        return i + ".bias";
    }

    /**
     * Every tensor the model needs, with its shape.
     *
     * @param positionRows rows of the stored CLIP position table: (grid)^2+1, or n^2+1 for a
     *                     table that is resized to the grid at load time (577 = 24x24+1)
     */
    public static List<Expected> expected(TrolConfig c, long positionRows) {
        List<Expected> out = new ArrayList<>();
        long h = c.hiddenSize();
        out.add(new Expected(EMBED_TOKENS, new long[] {c.vocabSize() + 1L, h}));
        for (int i = 0; i < c.numLayers(); i++) {
            out.add(new Expected(layer(i, "attention_norm.weight"), new long[] {h}));
            out.add(new Expected(layer(i, "ffn_norm.weight"), new long[] {h}));
            addPlora(out, c, layer(i, "attention.wqkv"), h, c.qkvRows(), c.bias());
            addPlora(out, c, layer(i, "attention.wo"), (long) c.numHeads() * c.headDim(), h, c.bias());
            addPlora(out, c, layer(i, "feed_forward.w1"), h, c.intermediateSize(), false);
            addPlora(out, c, layer(i, "feed_forward.w3"), h, c.intermediateSize(), false);
            addPlora(out, c, layer(i, "feed_forward.w2"), c.intermediateSize(), h, false);
        }
        out.add(new Expected(FINAL_NORM, new long[] {h}));
        out.add(new Expected(OUTPUT, new long[] {c.vocabSize(), h}));
        addVision(out, c.vision(), positionRows);
        long vc = c.vision().hiddenSize();
        out.add(new Expected(PROJECTOR_IN + ".weight", new long[] {h, vc}));
        out.add(new Expected(PROJECTOR_IN + ".bias", new long[] {h}));
        out.add(new Expected(PROJECTOR_OUT + ".weight", new long[] {h, h}));
        out.add(new Expected(PROJECTOR_OUT + ".bias", new long[] {h}));
        return out;
    }

    private static void addPlora(List<Expected> out, TrolConfig c, String module, long in, long outFeatures,
                                 boolean bias) {
        out.add(new Expected(module + ".ffn.weight", new long[] {outFeatures, in}));
        if (bias) {
            out.add(new Expected(module + ".ffn.bias", new long[] {outFeatures}));
        }
        out.add(new Expected(module + ".lora_A.weight", new long[] {c.ploraRank(), in}));
        out.add(new Expected(module + ".lora_B.weight", new long[] {outFeatures, c.ploraRank()}));
    }

    private static void addVision(List<Expected> out, VisionConfig v, long positionRows) {
        long ch = v.hiddenSize();
        out.add(new Expected(CLASS_EMBEDDING, new long[] {ch}));
        out.add(new Expected(PATCH_EMBEDDING, new long[] {ch, 3, v.patchSize(), v.patchSize()}));
        out.add(new Expected(POSITION_EMBEDDING, new long[] {positionRows, ch}));
        out.add(new Expected(PRE_NORM + ".weight", new long[] {ch}));
        out.add(new Expected(PRE_NORM + ".bias", new long[] {ch}));
        for (int j = 0; j < v.numLayers(); j++) {
            for (String p : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                out.add(new Expected(visionLayer(j, "self_attn." + p + ".weight"), new long[] {ch, ch}));
                out.add(new Expected(visionLayer(j, "self_attn." + p + ".bias"), new long[] {ch}));
            }
            for (String norm : List.of("layer_norm1", "layer_norm2")) {
                out.add(new Expected(visionLayer(j, norm + ".weight"), new long[] {ch}));
                out.add(new Expected(visionLayer(j, norm + ".bias"), new long[] {ch}));
            }
            out.add(new Expected(visionLayer(j, "mlp.fc1.weight"), new long[] {v.intermediateSize(), ch}));
            out.add(new Expected(visionLayer(j, "mlp.fc1.bias"), new long[] {v.intermediateSize()}));
            out.add(new Expected(visionLayer(j, "mlp.fc2.weight"), new long[] {ch, v.intermediateSize()}));
            out.add(new Expected(visionLayer(j, "mlp.fc2.bias"), new long[] {ch}));
        }
    }

    /**
     * Tensors a published checkpoint may carry that the forward does not use: CLIP's
     * {@code post_layernorm} (features are taken before it), the {@code position_ids} buffer older
     * transformers versions saved, and rotary {@code inv_freq} buffers.
     */
    public static boolean isKnownUnused(String name) {
        return name.startsWith(VIT + "post_layernorm.")
                || name.equals(VIT + "embeddings.position_ids")
                || name.endsWith("rotary_emb.inv_freq");
    }

    /** Whether a stored CLIP position table of this many rows can serve a grid x grid image. */
    public static boolean isSquarePlusClass(long rows) {
        long side = Math.round(Math.sqrt(rows - 1.0));
        return rows > 1 && side * side == rows - 1;
    }
}
