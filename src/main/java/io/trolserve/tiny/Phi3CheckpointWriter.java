package io.trolserve.tiny;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.model.CheckpointLayout.Expected;
import io.trolserve.model.ConfigKeys;
import io.trolserve.model.InternVitConfig;
import io.trolserve.model.InternVitWeights;
import io.trolserve.model.Phi3Config;
import io.trolserve.model.Phi3LanguageModel;
import io.trolserve.model.Phi3LayerWeights;
import io.trolserve.model.checkpoint.DType;

/**
 * Writes config.json, the safetensors weights and {@code trol_gating.pt} of a TroL-3.8B-layout
 * checkpoint (docs/TROL_3_8B.md §1.1-§1.4) with seeded random weights. Tensor names and shapes
 * come from the model's own tables ({@link InternVitWeights#expected}, {@link Phi3LayerWeights#shapes}
 * and the {@link Phi3LanguageModel} names), so the writer and the loader cannot drift apart. The
 * tokenizer is written by another class.
 *
 * <p>Values are scaled as {@link TinyCheckpointWriter}'s are (unit-variance activations, norms
 * near 1) so that layout bugs change tokens; InternViT's layer scales sit near 0.1 as trained ones do.
 */
public final class Phi3CheckpointWriter {

    /** TroL-3.8B's top-level {@code model_type} (TroLConfig) and its two sub-configs'. */
    public static final String MODEL_TYPE = "trol";
    public static final String ARCHITECTURE = "TroLForCausalLM";

    private final Phi3CheckpointSpec spec;
    private final Phi3Config llm;
    private final InternVitConfig vision;

    private Phi3CheckpointWriter(Phi3CheckpointSpec spec) {
        this.spec = spec;
        this.llm = spec.phi3Config();
        this.vision = spec.visionConfig();
    }

    /** Writes the checkpoint into {@code dir}; returns the language model's configuration. */
    public static Phi3Config write(Path dir, Phi3CheckpointSpec spec) throws IOException {
        Files.createDirectories(dir);
        Phi3CheckpointWriter w = new Phi3CheckpointWriter(spec);
        w.writeConfig(dir.resolve(ConfigKeys.FILE));
        List<SafetensorsWriter.Declared> all = new ArrayList<>();
        for (Expected e : expected(spec)) {
            all.add(new SafetensorsWriter.Declared(e.name(), spec.dtype(), e.shape()));
        }
        TinyCheckpointWriter.writeSafetensors(dir, all, spec.shards(), w::randomTensor);
        TinyGates.write(dir.resolve(CheckpointLayout.GATES_TORCH_FILE), spec.hiddenSize(), spec.numLayers(),
                spec.gate(), spec.seed(), spec.gateDtype());
        return w.llm;
    }

    /** Every tensor of the model file: the vision tower and projector, then the language model. */
    public static List<Expected> expected(Phi3CheckpointSpec spec) {
        List<Expected> out = new ArrayList<>(InternVitWeights.expected(spec.visionConfig(), spec.hiddenSize()));
        out.addAll(languageModel(spec.phi3Config()));
        return out;
    }

    /** embed_tokens, the L layers, the final norm and the untied lm_head (§1.3). */
    static List<Expected> languageModel(Phi3Config c) {
        long v = c.vocabSize();
        long h = c.hiddenSize();
        List<Expected> out = new ArrayList<>();
        out.add(new Expected(Phi3LanguageModel.EMBED_TOKENS, new long[] {v, h}));
        for (int i = 0; i < c.numLayers(); i++) {
            Phi3LayerWeights.shapes(i, c).forEach((name, shape) -> out.add(new Expected(name, shape)));
        }
        out.add(new Expected(Phi3LanguageModel.FINAL_NORM, new long[] {h}));
        out.add(new Expected(Phi3LanguageModel.LM_HEAD, new long[] {v, h}));
        return out;
    }

    /** config.json alone: what a test of a large preset's configuration needs. */
    static void writeConfig(Path file, Phi3CheckpointSpec spec) throws IOException {
        new Phi3CheckpointWriter(spec).writeConfig(file);
    }

    private void writeConfig(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.putArray(ConfigKeys.ARCHITECTURES).add(ARCHITECTURE);
        root.put(ConfigKeys.MODEL_TYPE, MODEL_TYPE);
        root.put(ConfigKeys.TORCH_DTYPE, torchDtype(spec.dtype()));
        root.put(ConfigKeys.DOWNSAMPLE_RATIO, vision.downsampleRatio());
        root.put(ConfigKeys.SELECT_LAYER, -1);
        root.putNull(ConfigKeys.FORCE_IMAGE_SIZE);
        root.put(ConfigKeys.PS_VERSION, "v1");
        root.put(ConfigKeys.DYNAMIC_IMAGE_SIZE, true);
        root.put(ConfigKeys.USE_THUMBNAIL, true);
        root.put(ConfigKeys.MIN_DYNAMIC_PATCH, 1);
        root.put(ConfigKeys.MAX_DYNAMIC_PATCH, 6);
        root.put(ConfigKeys.PAD2SQUARE, false);
        root.put(ConfigKeys.TEMPLATE, "phi3-chat");
        root.put(ConfigKeys.USE_BACKBONE_LORA, 0);
        root.put(ConfigKeys.USE_LLM_LORA, 0);
        root.put("trol_note", "random weights written by trol-serve init-tiny (seed " + spec.seed()
                + "): answers are meaningless");
        visionConfig(root.putObject(ConfigKeys.VISION_CONFIG));
        llmConfig(root.putObject(ConfigKeys.LLM_CONFIG));
        json.writeValue(file.toFile(), root);
    }

    /** InternVisionConfig's fields (§1.2). */
    private void visionConfig(ObjectNode v) {
        v.putArray(ConfigKeys.ARCHITECTURES).add("InternVisionModel");
        v.put(ConfigKeys.MODEL_TYPE, "intern_vit_6b");
        v.put(ConfigKeys.HIDDEN_SIZE, vision.hiddenSize());
        v.put(ConfigKeys.INTERMEDIATE_SIZE, vision.intermediateSize());
        v.put(ConfigKeys.NUM_HIDDEN_LAYERS, vision.numLayers());
        v.put(ConfigKeys.NUM_ATTENTION_HEADS, vision.numHeads());
        v.put(ConfigKeys.NUM_CHANNELS, 3);
        v.put(ConfigKeys.PATCH_SIZE, vision.patchSize());
        v.put(ConfigKeys.IMAGE_SIZE, vision.imageSize());
        v.put(ConfigKeys.QKV_BIAS, vision.qkvBias());
        v.put(ConfigKeys.QK_NORMALIZATION, vision.qkNormalization());
        v.put(ConfigKeys.NORM_TYPE, vision.normType().configName());
        v.put(ConfigKeys.LAYER_NORM_EPS, vision.layerNormEps());
        v.put(ConfigKeys.HIDDEN_ACT, vision.hiddenAct());
        v.put(ConfigKeys.USE_FLASH_ATTN, false);
        v.put(ConfigKeys.TORCH_DTYPE, torchDtype(spec.dtype()));
    }

    /** The official Phi3Config's fields (§1.2); rope_scaling holds exactly type, short and long factors. */
    private void llmConfig(ObjectNode l) {
        l.putArray(ConfigKeys.ARCHITECTURES).add("Phi3ForCausalLM");
        l.put(ConfigKeys.MODEL_TYPE, "phi3");
        l.put(ConfigKeys.VOCAB_SIZE, llm.vocabSize());
        l.put(ConfigKeys.HIDDEN_SIZE, llm.hiddenSize());
        l.put(ConfigKeys.INTERMEDIATE_SIZE, llm.intermediateSize());
        l.put(ConfigKeys.NUM_HIDDEN_LAYERS, llm.numLayers());
        l.put(ConfigKeys.NUM_ATTENTION_HEADS, llm.numHeads());
        l.put(ConfigKeys.NUM_KEY_VALUE_HEADS, llm.numKvHeads());
        l.put(ConfigKeys.HIDDEN_ACT, "silu");
        l.put(ConfigKeys.MAX_POSITION_EMBEDDINGS, llm.maxPositions());
        l.put(ConfigKeys.ORIGINAL_MAX_POSITION_EMBEDDINGS, llm.originalMaxPositions());
        l.put(ConfigKeys.RMS_NORM_EPS, llm.rmsNormEps());
        l.put(ConfigKeys.ROPE_THETA, llm.ropeTheta());
        Phi3Config.RopeScaling scaling = llm.ropeScaling();
        if (scaling == null) {
            l.putNull(ConfigKeys.ROPE_SCALING);
        } else {
            ObjectNode s = l.putObject(ConfigKeys.ROPE_SCALING);
            s.put(ConfigKeys.ROPE_SCALING_TYPE, scaling.type() == Phi3Config.RopeScaling.Type.SU ? "su" : "yarn");
            ArrayNode shortFactor = s.putArray(ConfigKeys.ROPE_SCALING_SHORT_FACTOR);
            scaling.shortFactor().forEach(shortFactor::add);
            ArrayNode longFactor = s.putArray(ConfigKeys.ROPE_SCALING_LONG_FACTOR);
            scaling.longFactor().forEach(longFactor::add);
        }
        if (llm.slidingWindow() == null) {
            l.putNull(ConfigKeys.SLIDING_WINDOW);
        } else {
            l.put(ConfigKeys.SLIDING_WINDOW, llm.slidingWindow());
        }
        l.put(ConfigKeys.BOS_TOKEN_ID, llm.bosTokenId());
        l.put(ConfigKeys.EOS_TOKEN_ID, llm.eosTokenId());
        l.put(ConfigKeys.PAD_TOKEN_ID, llm.eosTokenId());
        l.put(ConfigKeys.TIE_WORD_EMBEDDINGS, false);
        l.put(ConfigKeys.TORCH_DTYPE, torchDtype(spec.dtype()));
    }

    private static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }

    private void randomTensor(SafetensorsWriter.Declared t, SafetensorsWriter.ByteSink out) throws IOException {
        String name = t.name();
        double mean = isScale(name) ? 1.0 : isLayerScale(name) ? 0.1 : 0.0;
        TinyCheckpointWriter.gaussian(t, out, spec.seed(), mean, std(name, t.shape()));
    }

    /** LayerNorm and RMSNorm weights (the vision norms, q/k norms, projector norm, LM norms) sit near 1. */
    private static boolean isScale(String name) {
        return name.endsWith("norm.weight") || name.endsWith("norm1.weight") || name.endsWith("norm2.weight")
                || name.equals(InternVitWeights.PROJECTOR_NORM + ".weight");
    }

    /** InternViT's ls1/ls2, bare (C) Parameters initialised to 0.1 (initializer_factor) in the official code. */
    private static boolean isLayerScale(String name) {
        return name.endsWith(".ls1") || name.endsWith(".ls2");
    }

    /** Unit-variance outputs for matrices (1/sqrt(fan-in)); small spreads for vectors. */
    private static double std(String name, long[] shape) {
        if (isScale(name)) {
            return 0.05;
        }
        if (isLayerScale(name)) {
            return 0.02;
        }
        if (name.equals(Phi3LanguageModel.EMBED_TOKENS)) {
            return 1.0;
        }
        if (name.equals(InternVitWeights.CLASS_EMBEDDING) || name.equals(InternVitWeights.POSITION_EMBEDDING)) {
            return 0.5;
        }
        if (shape.length >= 2) {
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return 1.0 / Math.sqrt(fanIn);
        }
        return 0.05;
    }
}
