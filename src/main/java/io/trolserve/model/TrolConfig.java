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
        VisionConfig vision) {

    public static final int DEFAULT_PLORA_RANK = 256;

    /** d = H / nH. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** g = nH / nKV: query heads per key/value head. */
    public int groups() {
        return numHeads / numKvHeads;
    }

    /** Rows of the fused wqkv projection: (nH + 2 nKV) d. */
    public int qkvRows() {
        return (numHeads + 2 * numKvHeads) * headDim();
    }

    /** The id of {@code <image>}: V, one past the language vocabulary. */
    public int imageTokenId() {
        return vocabSize;
    }

    public static TrolConfig read(Path configJson) {
        return fromJson(JsonFiles.readObject(configJson), new ConfigReader(configJson));
    }

    private static TrolConfig fromJson(JsonNode root, ConfigReader reader) {
        String act = reader.optionalString(root, "hidden_act", "silu");
        reader.check(act.equals("silu"), "hidden_act '" + act + "' is not supported (InternLM2 uses silu)");
        TrolConfig c = new TrolConfig(
                reader.requiredPositiveInt(root, "vocab_size"),
                reader.requiredPositiveInt(root, "hidden_size"),
                reader.requiredPositiveInt(root, "intermediate_size"),
                reader.requiredPositiveInt(root, "num_hidden_layers"),
                reader.requiredPositiveInt(root, "num_attention_heads"),
                reader.optionalInt(root, "num_key_value_heads", root.path("num_attention_heads").asInt(1)),
                reader.optionalDouble(root, "rms_norm_eps", 1e-6),
                reader.optionalDouble(root, "rope_theta", 10000),
                ropeScalingFactor(root.get("rope_scaling"), reader),
                reader.optionalInt(root, "max_position_embeddings", 2048),
                reader.optionalBoolean(root, "bias", true),
                reader.tokenId(root, "bos_token_id", 1),
                reader.tokenId(root, "eos_token_id", 2),
                reader.optionalInt(root, "plora_rank", DEFAULT_PLORA_RANK),
                VisionConfig.fromJson(root.get("vision_config"), reader));
        c.validate(reader);
        return c;
    }

    private static double ropeScalingFactor(JsonNode scaling, ConfigReader reader) {
        if (scaling == null || scaling.isNull()) {
            return 0;
        }
        reader.requireObject(scaling, "rope_scaling");
        String type = reader.optionalString(scaling, "rope_scaling.type", "");
        reader.check(type.equals("dynamic"),
                "rope_scaling.type '" + type + "' is not supported (InternLM2 defines only 'dynamic')");
        return reader.optionalDouble(scaling, "rope_scaling.factor", 1.0);
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
