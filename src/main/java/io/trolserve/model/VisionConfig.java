package io.trolserve.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Shape of the CLIP vision tower (TROL_SPEC §1). The official config does not carry it: TroL fixes
 * the tower to ViT-L/14-336 fed at 490 px. A checkpoint may describe a smaller tower with an
 * optional {@code vision_config} object using Hugging Face's {@code CLIPVisionConfig} field names;
 * absent fields take the ViT-L/14 values.
 *
 * @param imageSize the side images are resized to (490 for TroL), not CLIP's pretraining size
 */
public record VisionConfig(
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int patchSize,
        int imageSize,
        double layerNormEps,
        String hiddenAct) {

    public static final VisionConfig VIT_L14_AT_490 =
            new VisionConfig(1024, 4096, 24, 16, 14, 490, 1e-5, "quick_gelu");

    /** Patches per side of the resized image: 35 for TroL. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Image tokens per image, (image_size / patch_size)^2: 1225 for TroL. */
    public int imageTokens() {
        return gridSize() * gridSize();
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    static VisionConfig fromJson(JsonNode node, ConfigReader reader) {
        VisionConfig d = VIT_L14_AT_490;
        if (node == null || node.isNull()) {
            return d;
        }
        reader.requireObject(node, ConfigKeys.VISION_CONFIG);
        VisionConfig c = new VisionConfig(
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.HIDDEN_SIZE), d.hiddenSize),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.INTERMEDIATE_SIZE), d.intermediateSize),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.NUM_HIDDEN_LAYERS), d.numLayers),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.NUM_ATTENTION_HEADS), d.numHeads),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.PATCH_SIZE), d.patchSize),
                reader.optionalInt(node, ConfigKeys.vision(ConfigKeys.IMAGE_SIZE), d.imageSize),
                reader.optionalDouble(node, ConfigKeys.vision(ConfigKeys.LAYER_NORM_EPS), d.layerNormEps),
                reader.optionalString(node, ConfigKeys.vision(ConfigKeys.HIDDEN_ACT), d.hiddenAct));
        c.validate(reader);
        return c;
    }

    private void validate(ConfigReader reader) {
        reader.check(hiddenSize % numHeads == 0,
                "vision_config.hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
        reader.check(imageSize % patchSize == 0,
                "vision_config.image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
        reader.check(hiddenAct.equals("quick_gelu"),
                "vision_config.hidden_act '" + hiddenAct + "' is not supported (TroL's CLIP uses quick_gelu)");
    }
}
