package io.trolserve.model;

/**
 * The names in a TroL checkpoint's config.json, as the published checkpoints spell them. The
 * reader ({@link TrolConfig}, {@link VisionConfig}) and the tiny-checkpoint writer both use these,
 * so a checkpoint the project writes is one the project reads.
 */
public final class ConfigKeys {

    public static final String FILE = "config.json";

    public static final String ARCHITECTURES = "architectures";
    public static final String MODEL_TYPE = "model_type";
    public static final String VOCAB_SIZE = "vocab_size";
    public static final String HIDDEN_SIZE = "hidden_size";
    public static final String INTERMEDIATE_SIZE = "intermediate_size";
    public static final String NUM_HIDDEN_LAYERS = "num_hidden_layers";
    public static final String NUM_ATTENTION_HEADS = "num_attention_heads";
    public static final String NUM_KEY_VALUE_HEADS = "num_key_value_heads";
    public static final String HIDDEN_ACT = "hidden_act";
    public static final String RMS_NORM_EPS = "rms_norm_eps";
    public static final String ROPE_THETA = "rope_theta";
    public static final String ROPE_SCALING = "rope_scaling";
    public static final String ROPE_SCALING_TYPE = "type";
    public static final String ROPE_SCALING_FACTOR = "factor";
    public static final String MAX_POSITION_EMBEDDINGS = "max_position_embeddings";
    public static final String BIAS = "bias";
    public static final String BOS_TOKEN_ID = "bos_token_id";
    public static final String EOS_TOKEN_ID = "eos_token_id";
    public static final String PAD_TOKEN_ID = "pad_token_id";
    public static final String TIE_WORD_EMBEDDINGS = "tie_word_embeddings";
    public static final String TORCH_DTYPE = "torch_dtype";
    public static final String PLORA_RANK = "plora_rank";

    /** TroL-3.8B's Phi-3 language model (Hugging Face's Phi3Config names, inside {@code llm_config}). */
    public static final String LLM_CONFIG = "llm_config";
    public static final String ORIGINAL_MAX_POSITION_EMBEDDINGS = "original_max_position_embeddings";
    public static final String SLIDING_WINDOW = "sliding_window";
    public static final String ROPE_SCALING_SHORT_FACTOR = "short_factor";
    public static final String ROPE_SCALING_LONG_FACTOR = "long_factor";

    /** The CLIP tower's object; inside it, the same names as the language model's where they match. */
    public static final String VISION_CONFIG = "vision_config";
    public static final String PATCH_SIZE = "patch_size";
    public static final String IMAGE_SIZE = "image_size";
    public static final String LAYER_NORM_EPS = "layer_norm_eps";

    /** InternViT's fields inside {@code vision_config} (TroL-3.8B, docs/TROL_3_8B.md §1.2). */
    public static final String QKV_BIAS = "qkv_bias";
    public static final String QK_NORMALIZATION = "qk_normalization";
    public static final String NORM_TYPE = "norm_type";
    /** Top level in TroL-3.8B: the pixel shuffle's ratio (0.5 merges 2x2 patches into a token). */
    public static final String DOWNSAMPLE_RATIO = "downsample_ratio";

    /**
     * TroL-3.8B's other top-level fields ({@code TroLConfig.to_dict}, docs/TROL_3_8B.md §1.2). The
     * official forward ignores all of them (the tiler runs with hard-coded 1, 6, 448, thumbnail
     * on); they are named so that the tiny writer lays the file out as published.
     */
    public static final String USE_BACKBONE_LORA = "use_backbone_lora";
    public static final String USE_LLM_LORA = "use_llm_lora";
    public static final String PAD2SQUARE = "pad2square";
    public static final String SELECT_LAYER = "select_layer";
    public static final String FORCE_IMAGE_SIZE = "force_image_size";
    public static final String TEMPLATE = "template";
    public static final String DYNAMIC_IMAGE_SIZE = "dynamic_image_size";
    public static final String USE_THUMBNAIL = "use_thumbnail";
    public static final String PS_VERSION = "ps_version";
    public static final String MIN_DYNAMIC_PATCH = "min_dynamic_patch";
    public static final String MAX_DYNAMIC_PATCH = "max_dynamic_patch";
    /** InternVisionConfig fields the official modules read for building only. */
    public static final String NUM_CHANNELS = "num_channels";
    public static final String USE_FLASH_ATTN = "use_flash_attn";

    private ConfigKeys() {
    }

    /** {@code vision_config.<key>}, the name an error message gives a vision field. */
    static String vision(String key) {
        return VISION_CONFIG + "." + key;
    }

    /** {@code llm_config.<key>}, the name an error message gives a Phi-3 field. */
    static String llm(String key) {
        return LLM_CONFIG + "." + key;
    }
}
