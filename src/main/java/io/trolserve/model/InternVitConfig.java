package io.trolserve.model;

import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.model.checkpoint.JsonFiles;

/**
 * Shape of TroL-3.8B's InternViT tower and pixel shuffle (docs/TROL_3_8B.md §1.2): the required
 * {@code vision_config} object, read with the official {@code InternVisionConfig} field names, and
 * the top-level {@code downsample_ratio}. An absent field takes the official code default, which is
 * InternViT-6B's ({@link #OFFICIAL_DEFAULTS}), exactly as the official config class does.
 *
 * <p>Rejected: anything the official modules could not build or run (heads not dividing the width,
 * a norm type outside {@code NORM2FN}), and what this port does not compute: an activation other
 * than exact GELU, a ratio other than 0.5 (the prompt code hard-codes 2x2 merging), a grid that
 * does not halve into whole tokens. The 448 px tile size is the loader's check, not this record's.
 *
 * @param imageSize       S, the side the stored position table was trained for (448 for 300M)
 * @param layerNormEps    eps of norm1/norm2 and of the q/k RMSNorms
 * @param downsampleRatio always 0.5 once read: each output token merges 2x2 patches
 */
public record InternVitConfig(
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int patchSize,
        int imageSize,
        boolean qkvBias,
        boolean qkNormalization,
        NormType normType,
        double layerNormEps,
        String hiddenAct,
        double downsampleRatio) {

    /** {@code NORM2FN} of the official module, by its config name. */
    public enum NormType {
        LAYER_NORM, RMS_NORM;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** InternVisionConfig's code defaults (InternViT-6B) and TroLConfig's ratio. */
    public static final InternVitConfig OFFICIAL_DEFAULTS = new InternVitConfig(
            3200, 12800, 48, 25, 14, 224, false, true, NormType.RMS_NORM, 1e-6, "gelu", 0.5);

    /** InternViT-300M-448px as InternVL-family configs give it (§1.2, [infer]). */
    public static final InternVitConfig INTERN_VIT_300M_448PX = new InternVitConfig(
            1024, 4096, 24, 16, 14, 448, true, false, NormType.LAYER_NORM, 1e-6, "gelu", 0.5);

    /** Patches per side of an S x S tile: 32. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Rows of the stored position table: the class row and the grid, 1025. */
    public int positionRows() {
        return gridSize() * gridSize() + 1;
    }

    /** Image tokens per tile after the pixel shuffle, (S/P)^2 * ratio^2: 256. */
    public int tokensPerTile() {
        return gridSize() * gridSize() / 4;
    }

    /** Width of a shuffled token, 4C: the projector's input. */
    public int shuffledWidth() {
        return 4 * hiddenSize;
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** The {@code vision_config} and {@code downsample_ratio} of a TroL-3.8B config.json. */
    public static InternVitConfig read(Path configJson) {
        return fromJson(JsonFiles.readObject(configJson), new ConfigReader(configJson));
    }

    static InternVitConfig fromJson(JsonNode root, ConfigReader reader) {
        JsonNode node = root.get(ConfigKeys.VISION_CONFIG);
        reader.check(node != null && !node.isNull(), "required object '" + ConfigKeys.VISION_CONFIG
                + "' is missing (TroL-3.8B's config builds InternVisionConfig from it)");
        reader.requireObject(node, ConfigKeys.VISION_CONFIG);
        InternVitConfig d = OFFICIAL_DEFAULTS;
        InternVitConfig c = new InternVitConfig(
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.HIDDEN_SIZE), d.hiddenSize),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.INTERMEDIATE_SIZE), d.intermediateSize),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.NUM_HIDDEN_LAYERS), d.numLayers),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.NUM_ATTENTION_HEADS), d.numHeads),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.PATCH_SIZE), d.patchSize),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.IMAGE_SIZE), d.imageSize),
                flag(node, ConfigKeys.QKV_BIAS, d.qkvBias, reader),
                flag(node, ConfigKeys.QK_NORMALIZATION, d.qkNormalization, reader),
                normType(reader.optionalString(node, ConfigKeys.vision(ConfigKeys.NORM_TYPE),
                        d.normType.configName()), reader),
                reader.optionalDouble(node, ConfigKeys.vision(ConfigKeys.LAYER_NORM_EPS), d.layerNormEps),
                reader.optionalString(node, ConfigKeys.vision(ConfigKeys.HIDDEN_ACT), d.hiddenAct),
                reader.optionalDouble(root, ConfigKeys.DOWNSAMPLE_RATIO, d.downsampleRatio));
        c.validate(reader);
        return c;
    }

    /** ConfigReader's boolean names the bare key; inside vision_config the message needs the path. */
    private static boolean flag(JsonNode node, String key, boolean fallback, ConfigReader reader) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        reader.check(v.isBoolean(), "field '" + ConfigKeys.vision(key) + "' must be true or false, found " + v);
        return v.booleanValue();
    }

    private static NormType normType(String name, ConfigReader reader) {
        for (NormType t : NormType.values()) {
            if (t.configName().equals(name)) {
                return t;
            }
        }
        throw reader.error("field '" + ConfigKeys.vision(ConfigKeys.NORM_TYPE) + "' is '" + name
                + "'; InternViT knows only 'layer_norm' and 'rms_norm'");
    }

    private void validate(ConfigReader reader) {
        reader.check(hiddenSize % numHeads == 0, "vision_config.hidden_size " + hiddenSize
                + " is not divisible by num_attention_heads " + numHeads);
        reader.check(hiddenAct.equals("gelu"), "vision_config.hidden_act '" + hiddenAct
                + "' is not supported (InternViT uses exact 'gelu')");
        reader.check(downsampleRatio == 0.5, "downsample_ratio " + downsampleRatio
                + " is not supported: TroL-3.8B merges 2x2 patches (0.5) and its prompt code assumes it");
        reader.check(imageSize % patchSize == 0 && gridSize() % 2 == 0, "vision_config image_size "
                + imageSize + " / patch_size " + patchSize + " gives (S/P)^2 * downsample_ratio^2 = "
                + (double) imageSize * imageSize / patchSize / patchSize * downsampleRatio * downsampleRatio
                + " image tokens per tile, not a whole number from an even patch grid");
    }
}
