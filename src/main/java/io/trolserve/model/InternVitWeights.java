package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.bytedeco.pytorch.Tensor;

import io.trolserve.model.CheckpointLayout.Expected;

/**
 * TroL-3.8B's InternViT tower and projector weights, under the official module paths
 * (docs/TROL_3_8B.md §1.3). {@link #expected} is the one table of their names and shapes, for the
 * loader's checks and the tiny writer alike; {@link #fromNamed} builds the holder from any source of
 * named tensors. The holder does not own the tensors: whoever built them closes them.
 *
 * @param classEmbedding    (1, 1, C), a bare Parameter
 * @param patchWeight       (C, 3, P, P) of the patch Conv2d, which has a bias (C)
 * @param positionEmbedding (1, (S/P)^2 + 1, C), a bare Parameter
 * @param projectorNorm     LayerNorm(4C) weight and bias: {@code vision_proj.0}
 * @param projectorIn       Linear 4C to H: {@code vision_proj.1} ({@code .2} is the GELU)
 * @param projectorOut      Linear H to H: {@code vision_proj.3}
 */
public record InternVitWeights(
        Tensor classEmbedding,
        Tensor patchWeight, Tensor patchBias,
        Tensor positionEmbedding,
        List<Layer> layers,
        Tensor projectorNormWeight, Tensor projectorNormBias,
        Tensor projectorInWeight, Tensor projectorInBias,
        Tensor projectorOutWeight, Tensor projectorOutBias) {

    /**
     * One encoder layer. Norms are LayerNorm (weight, bias) or RMSNorm (weight; bias null), all (C).
     *
     * @param qkvWeight (3C, C): q, then k, then v, each heads in order; qkvBias (3C) or null
     * @param qNorm     (C) RMSNorm over the full width, null unless qk_normalization; so is kNorm
     * @param ls1       (C) layer scale of the attention branch; ls2 of the MLP branch
     */
    public record Layer(
            Tensor norm1Weight, Tensor norm1Bias,
            Tensor qkvWeight, Tensor qkvBias,
            Tensor qNorm, Tensor kNorm,
            Tensor projWeight, Tensor projBias,
            Tensor norm2Weight, Tensor norm2Bias,
            Tensor fc1Weight, Tensor fc1Bias,
            Tensor fc2Weight, Tensor fc2Bias,
            Tensor ls1, Tensor ls2) {
    }

    public static final String VISION = "vision_model.";
    public static final String CLASS_EMBEDDING = VISION + "embeddings.class_embedding";
    public static final String PATCH_EMBEDDING = VISION + "embeddings.patch_embedding";
    public static final String POSITION_EMBEDDING = VISION + "embeddings.position_embedding";
    public static final String PROJECTOR_NORM = "vision_proj.0";
    public static final String PROJECTOR_IN = "vision_proj.1";
    public static final String PROJECTOR_OUT = "vision_proj.3";

    public static String layer(int j, String suffix) {
        return VISION + "encoder.layers." + j + "." + suffix;
    }

    /** Every tensor of the tower and projector with its shape, in module order. */
    public static List<Expected> expected(InternVitConfig c, long lmHidden) {
        long ch = c.hiddenSize();
        long wide = c.shuffledWidth();
        List<Expected> out = new ArrayList<>();
        out.add(new Expected(CLASS_EMBEDDING, new long[] {1, 1, ch}));
        out.add(new Expected(PATCH_EMBEDDING + ".weight", new long[] {ch, 3, c.patchSize(), c.patchSize()}));
        out.add(new Expected(PATCH_EMBEDDING + ".bias", new long[] {ch}));
        out.add(new Expected(POSITION_EMBEDDING, new long[] {1, c.positionRows(), ch}));
        for (int j = 0; j < c.numLayers(); j++) {
            for (String suffix : layerSuffixes(c)) {
                out.add(new Expected(layer(j, suffix), layerShape(c, suffix)));
            }
        }
        out.add(new Expected(PROJECTOR_NORM + ".weight", new long[] {wide}));
        out.add(new Expected(PROJECTOR_NORM + ".bias", new long[] {wide}));
        out.add(new Expected(PROJECTOR_IN + ".weight", new long[] {lmHidden, wide}));
        out.add(new Expected(PROJECTOR_IN + ".bias", new long[] {lmHidden}));
        out.add(new Expected(PROJECTOR_OUT + ".weight", new long[] {lmHidden, lmHidden}));
        out.add(new Expected(PROJECTOR_OUT + ".bias", new long[] {lmHidden}));
        return out;
    }

    /** A layer's tensors by module path inside the layer; optional ones only where the config has them. */
    private static List<String> layerSuffixes(InternVitConfig c) {
        List<String> suffixes = new ArrayList<>(List.of("norm1.weight"));
        boolean layerNorm = c.normType() == InternVitConfig.NormType.LAYER_NORM;
        if (layerNorm) {
            suffixes.add("norm1.bias");
        }
        suffixes.add("attn.qkv.weight");
        if (c.qkvBias()) {
            suffixes.add("attn.qkv.bias");
        }
        if (c.qkNormalization()) {
            suffixes.addAll(List.of("attn.q_norm.weight", "attn.k_norm.weight"));
        }
        suffixes.addAll(List.of("attn.proj.weight", "attn.proj.bias", "norm2.weight"));
        if (layerNorm) {
            suffixes.add("norm2.bias");
        }
        suffixes.addAll(List.of("mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias", "ls1", "ls2"));
        return suffixes;
    }

    private static long[] layerShape(InternVitConfig c, String suffix) {
        long ch = c.hiddenSize();
        long cv = c.intermediateSize();
        return switch (suffix) {
            case "attn.qkv.weight" -> new long[] {3 * ch, ch};
            case "attn.qkv.bias" -> new long[] {3 * ch};
            case "attn.proj.weight" -> new long[] {ch, ch};
            case "mlp.fc1.weight" -> new long[] {cv, ch};
            case "mlp.fc1.bias" -> new long[] {cv};
            case "mlp.fc2.weight" -> new long[] {ch, cv};
            default -> new long[] {ch}; // norms, q/k norms, the proj and fc2 biases, layer scales
        };
    }

    /**
     * The holder over {@code tensor(name)}, which is asked for each name of {@link #expected}; the
     * optional tensors the config does not have are null.
     */
    public static InternVitWeights fromNamed(InternVitConfig c, Function<String, Tensor> tensor) {
        boolean layerNorm = c.normType() == InternVitConfig.NormType.LAYER_NORM;
        List<Layer> layers = new ArrayList<>();
        for (int j = 0; j < c.numLayers(); j++) {
            int i = j;
            Function<String, Tensor> at = s -> tensor.apply(layer(i, s));
            layers.add(new Layer(
                    at.apply("norm1.weight"), layerNorm ? at.apply("norm1.bias") : null,
                    at.apply("attn.qkv.weight"), c.qkvBias() ? at.apply("attn.qkv.bias") : null,
                    c.qkNormalization() ? at.apply("attn.q_norm.weight") : null,
                    c.qkNormalization() ? at.apply("attn.k_norm.weight") : null,
                    at.apply("attn.proj.weight"), at.apply("attn.proj.bias"),
                    at.apply("norm2.weight"), layerNorm ? at.apply("norm2.bias") : null,
                    at.apply("mlp.fc1.weight"), at.apply("mlp.fc1.bias"),
                    at.apply("mlp.fc2.weight"), at.apply("mlp.fc2.bias"),
                    at.apply("ls1"), at.apply("ls2")));
        }
        return new InternVitWeights(
                tensor.apply(CLASS_EMBEDDING),
                tensor.apply(PATCH_EMBEDDING + ".weight"), tensor.apply(PATCH_EMBEDDING + ".bias"),
                tensor.apply(POSITION_EMBEDDING),
                layers,
                tensor.apply(PROJECTOR_NORM + ".weight"), tensor.apply(PROJECTOR_NORM + ".bias"),
                tensor.apply(PROJECTOR_IN + ".weight"), tensor.apply(PROJECTOR_IN + ".bias"),
                tensor.apply(PROJECTOR_OUT + ".weight"), tensor.apply(PROJECTOR_OUT + ".bias"));
    }
}
