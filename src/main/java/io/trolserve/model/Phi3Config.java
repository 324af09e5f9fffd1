package io.trolserve.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.model.checkpoint.JsonFiles;

/**
 * The Phi-3 language model of TroL-3.8B: the {@code llm_config} object of its config.json
 * (docs/TROL_3_8B.md §1.2), translated to Java names here and nowhere else. Sizes are required;
 * every other field takes the official {@code Phi3Config} default when absent, and is validated
 * as that class validates it.
 *
 * @param numKvHeads        nKV; {@code num_key_value_heads} null means nKV = nH
 * @param ropeScaling       su/yarn scaled RoPE, or null for plain RoPE
 * @param maxPositions      {@code max_position_embeddings}
 * @param originalMaxPositions {@code original_max_position_embeddings}: the short/long factor
 *                          boundary, and the denominator of the su/yarn magnitude scale
 * @param slidingWindow     keys a query may look back ({@code sliding_window}), or null for none
 */
public record Phi3Config(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositions,
        int originalMaxPositions,
        Integer slidingWindow,
        int bosTokenId,
        int eosTokenId,
        boolean tieWordEmbeddings) implements LanguageConfig {

    /** {@code rope_scaling}: the type and d/2 frequency factors for short and long sequences. */
    public record RopeScaling(Type type, List<Double> shortFactor, List<Double> longFactor) {

        public enum Type { SU, YARN }

        public RopeScaling {
            shortFactor = List.copyOf(shortFactor);
            longFactor = List.copyOf(longFactor);
        }
    }

    /** The {@code llm_config} of a TroL-3.8B config.json. */
    public static Phi3Config read(Path configJson) {
        JsonNode root = JsonFiles.readObject(configJson);
        ConfigReader reader = new ConfigReader(configJson);
        JsonNode llm = root.get(ConfigKeys.LLM_CONFIG);
        reader.check(llm != null && !llm.isNull(), "required object '" + ConfigKeys.LLM_CONFIG
                + "' is missing (TroL-3.8B keeps its Phi-3 language model's configuration there)");
        return fromJson(llm, reader);
    }

    static Phi3Config fromJson(JsonNode llm, ConfigReader reader) {
        reader.requireObject(llm, ConfigKeys.LLM_CONFIG);
        String act = reader.optionalString(llm, ConfigKeys.llm(ConfigKeys.HIDDEN_ACT), "silu");
        reader.check(act.equals("silu"), "llm_config.hidden_act '" + act + "' is not supported (Phi-3 uses silu)");
        int hidden = reader.requiredPositiveInt(llm, ConfigKeys.llm(ConfigKeys.HIDDEN_SIZE));
        int heads = reader.requiredPositiveInt(llm, ConfigKeys.llm(ConfigKeys.NUM_ATTENTION_HEADS));
        int kvHeads = reader.optionalInt(llm, ConfigKeys.llm(ConfigKeys.NUM_KEY_VALUE_HEADS), heads);
        reader.check(hidden % heads == 0,
                "llm_config.hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        reader.check(heads % kvHeads == 0,
                "llm_config.num_attention_heads " + heads + " is not divisible by num_key_value_heads " + kvHeads);
        reader.check((hidden / heads) % 2 == 0, "llm_config: head dimension " + hidden / heads
                + " must be even for rotary embeddings");
        JsonNode window = llm.get(ConfigKeys.SLIDING_WINDOW);
        Phi3Config c = new Phi3Config(
                reader.requiredPositiveInt(llm, ConfigKeys.llm(ConfigKeys.VOCAB_SIZE)),
                hidden,
                reader.requiredPositiveInt(llm, ConfigKeys.llm(ConfigKeys.INTERMEDIATE_SIZE)),
                reader.requiredPositiveInt(llm, ConfigKeys.llm(ConfigKeys.NUM_HIDDEN_LAYERS)),
                heads,
                kvHeads,
                reader.optionalDouble(llm, ConfigKeys.llm(ConfigKeys.RMS_NORM_EPS), 1e-5),
                reader.optionalDouble(llm, ConfigKeys.llm(ConfigKeys.ROPE_THETA), 10000),
                ropeScaling(llm.get(ConfigKeys.ROPE_SCALING), hidden / heads / 2, reader),
                reader.optionalInt(llm, ConfigKeys.llm(ConfigKeys.MAX_POSITION_EMBEDDINGS), 4096),
                reader.optionalInt(llm, ConfigKeys.llm(ConfigKeys.ORIGINAL_MAX_POSITION_EMBEDDINGS), 4096),
                window == null || window.isNull() ? null
                        : reader.optionalInt(llm, ConfigKeys.llm(ConfigKeys.SLIDING_WINDOW), 0),
                reader.tokenId(llm, ConfigKeys.llm(ConfigKeys.BOS_TOKEN_ID), 1),
                reader.tokenId(llm, ConfigKeys.llm(ConfigKeys.EOS_TOKEN_ID), 32000),
                reader.optionalBoolean(llm, ConfigKeys.llm(ConfigKeys.TIE_WORD_EMBEDDINGS), false));
        reader.check(c.bosTokenId() < c.vocabSize() && c.eosTokenId() < c.vocabSize(),
                "llm_config.bos_token_id/eos_token_id must be below vocab_size " + c.vocabSize());
        return c;
    }

    /** As the official {@code _rope_scaling_validation}: null, or exactly type, short_factor, long_factor. */
    private static RopeScaling ropeScaling(JsonNode node, int halfHeadDim, ConfigReader reader) {
        if (node == null || node.isNull()) {
            return null;
        }
        String field = ConfigKeys.llm(ConfigKeys.ROPE_SCALING);
        reader.requireObject(node, field);
        String type = reader.optionalString(node, field + "." + ConfigKeys.ROPE_SCALING_TYPE, "");
        reader.check(!type.equals("longrope"), field + ".type 'longrope' is rejected by the official Phi3Config,"
                + " which accepts only 'su' and 'yarn' ('longrope' is Hugging Face's later name for 'su')");
        reader.check(type.equals("su") || type.equals("yarn"),
                field + ".type '" + type + "' is not supported (Phi-3 defines 'su' and 'yarn')");
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        reader.check(keys.size() == 3, field + " must hold exactly type, short_factor and long_factor, found " + keys);
        return new RopeScaling(type.equals("su") ? RopeScaling.Type.SU : RopeScaling.Type.YARN,
                factors(node, field + "." + ConfigKeys.ROPE_SCALING_SHORT_FACTOR, halfHeadDim, reader),
                factors(node, field + "." + ConfigKeys.ROPE_SCALING_LONG_FACTOR, halfHeadDim, reader));
    }

    /** One factor per rotary frequency: d/2 positive numbers. */
    private static List<Double> factors(JsonNode scaling, String field, int halfHeadDim, ConfigReader reader) {
        JsonNode list = scaling.get(field.substring(field.lastIndexOf('.') + 1));
        reader.check(list != null && list.isArray(), field + " must be a list of numbers, found " + list);
        reader.check(list.size() == halfHeadDim, field + " must have head_dim / 2 = " + halfHeadDim
                + " entries, found " + list.size());
        List<Double> out = new ArrayList<>();
        for (JsonNode v : list) {
            reader.check(v.isNumber() && v.doubleValue() > 0 && Double.isFinite(v.doubleValue()),
                    field + " must hold positive numbers, found " + v);
            out.add(v.doubleValue());
        }
        return out;
    }
}
