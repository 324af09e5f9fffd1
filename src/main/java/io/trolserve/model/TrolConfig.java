package io.trolserve.model;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.model.checkpoint.JsonFiles;

/**
 * The InternLM2 fields of a TroL checkpoint's config.json (TROL_SPEC §1), translated to Java
 * names here and nowhere else.
 *
 * @param vocabSize         V; the embedding table has V+1 rows (the extra one is {@code <image>})
 * @param ploraRank         r of the Plora adapters: 256 in the published checkpoints; small
 *                          checkpoints may set {@code plora_rank} (our extension)
 * @param ropeScalingFactor the dynamic-NTK factor, or 0 when {@code rope_scaling} is null
 */
public record TrolConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        double rmsNormEps,
        double ropeTheta,
        double ropeScalingFactor,
        int maxPositions,
        boolean bias,
        int bosTokenId,
        int eosTokenId,
        int ploraRank,
        VisionConfig vision) implements LanguageConfig {

    public static final int DEFAULT_PLORA_RANK = 256;

    /** The id of {@code <image>}: V, one past the language vocabulary. */
    public int imageTokenId() {
        return vocabSize;
    }

    public static TrolConfig read(Path configJson) {
        return fromJson(JsonFiles.readObject(configJson), new ConfigReader(configJson));
    }

    private static TrolConfig fromJson(JsonNode root, ConfigReader reader) {
        String act = reader.optionalString(root, ConfigKeys.HIDDEN_ACT, "silu");
        reader.check(act.equals("silu"), "hidden_act '" + act + "' is not supported (InternLM2 uses silu)");
        TrolConfig c = new TrolConfig(
                reader.requiredPositiveInt(root, ConfigKeys.VOCAB_SIZE),
                reader.requiredPositiveInt(root, ConfigKeys.HIDDEN_SIZE),
                reader.requiredPositiveInt(root, ConfigKeys.INTERMEDIATE_SIZE),
                reader.requiredPositiveInt(root, ConfigKeys.NUM_HIDDEN_LAYERS),
                reader.requiredPositiveInt(root, ConfigKeys.NUM_ATTENTION_HEADS),
                reader.optionalInt(root, ConfigKeys.NUM_KEY_VALUE_HEADS,
                        root.path(ConfigKeys.NUM_ATTENTION_HEADS).asInt(1)),
                reader.optionalDouble(root, ConfigKeys.RMS_NORM_EPS, 1e-6),
                reader.optionalDouble(root, ConfigKeys.ROPE_THETA, 10000),
                ropeScalingFactor(root.get(ConfigKeys.ROPE_SCALING), reader),
                reader.optionalInt(root, ConfigKeys.MAX_POSITION_EMBEDDINGS, 2048),
                reader.optionalBoolean(root, ConfigKeys.BIAS, true),
                reader.tokenId(root, ConfigKeys.BOS_TOKEN_ID, 1),
                reader.tokenId(root, ConfigKeys.EOS_TOKEN_ID, 2),
                reader.optionalInt(root, ConfigKeys.PLORA_RANK, DEFAULT_PLORA_RANK),
                VisionConfig.fromJson(root.get(ConfigKeys.VISION_CONFIG), reader));
        c.validate(reader);
        return c;
    }

    private static double ropeScalingFactor(JsonNode scaling, ConfigReader reader) {
        if (scaling == null || scaling.isNull()) {
            return 0;
        }
        reader.requireObject(scaling, ConfigKeys.ROPE_SCALING);
        String type = reader.optionalString(scaling, ConfigKeys.ROPE_SCALING + "." + ConfigKeys.ROPE_SCALING_TYPE, "");
        reader.check(type.equals("dynamic"),
                "rope_scaling.type '" + type + "' is not supported (InternLM2 defines only 'dynamic')");
        return reader.optionalDouble(scaling, ConfigKeys.ROPE_SCALING + "." + ConfigKeys.ROPE_SCALING_FACTOR, 1.0);
    }

    private void validate(ConfigReader reader) {
        reader.check(hiddenSize % numHeads == 0,
                "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
        reader.check(numHeads % numKvHeads == 0,
                "num_attention_heads " + numHeads + " is not divisible by num_key_value_heads " + numKvHeads);
        reader.check(headDim() % 2 == 0, "head dimension " + headDim() + " must be even for rotary embeddings");
        reader.check(bosTokenId < vocabSize && eosTokenId < vocabSize,
                "bos_token_id/eos_token_id must be below vocab_size " + vocabSize);
    }
}
