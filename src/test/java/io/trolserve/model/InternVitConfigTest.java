package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.model.checkpoint.CheckpointException;

/** vision_config and downsample_ratio as the official TroLConfig reads them (docs/TROL_3_8B.md §1.2). */
class InternVitConfigTest {

    private static final Path FILE = Path.of("ckpt", ConfigKeys.FILE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The InternViT-300M-448px fields as InternVL-family configs write them. */
    private static ObjectNode published() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"model_type": "trol", "downsample_ratio": 0.5, "select_layer": -1, "ps_version": "v1",
                 "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                   "num_attention_heads": 16, "patch_size": 14, "image_size": 448, "qkv_bias": true,
                   "qk_normalization": false, "norm_type": "layer_norm", "layer_norm_eps": 1e-6,
                   "hidden_act": "gelu", "use_flash_attn": true, "num_channels": 3},
                 "llm_config": {"hidden_size": 3072}}""");
    }

    private static InternVitConfig read(JsonNode root) {
        return InternVitConfig.fromJson(root, new ConfigReader(FILE));
    }

    private static ObjectNode vision(ObjectNode root) {
        return (ObjectNode) root.get(ConfigKeys.VISION_CONFIG);
    }

    @Test
    void readsThePublishedTower() throws Exception {
        InternVitConfig c = read(published());
        assertThat(c).isEqualTo(InternVitConfig.INTERN_VIT_300M_448PX);
        assertThat(c.gridSize()).isEqualTo(32);
        assertThat(c.positionRows()).isEqualTo(1025);
        assertThat(c.tokensPerTile()).isEqualTo(256);
        assertThat(c.shuffledWidth()).isEqualTo(4096);
        assertThat(c.headDim()).isEqualTo(64);
    }

    @Test
    void absentFieldsTakeTheOfficialCodeDefaults() throws Exception {
        InternVitConfig c = read(JSON.readTree("{\"vision_config\": {}}"));
        assertThat(c).isEqualTo(InternVitConfig.OFFICIAL_DEFAULTS);
        assertThat(c.normType()).isEqualTo(InternVitConfig.NormType.RMS_NORM);
        assertThat(c.qkNormalization()).isTrue();
        assertThat(c.qkvBias()).isFalse();
        assertThat(c.downsampleRatio()).isEqualTo(0.5);
    }

    @Test
    void aMissingVisionConfigIsAnError() throws Exception {
        ObjectNode root = published();
        root.remove(ConfigKeys.VISION_CONFIG);
        assertError(root, "required object 'vision_config' is missing");
        root.put(ConfigKeys.VISION_CONFIG, 3);
        assertError(root, "'vision_config' must be a JSON object");
    }

    @Test
    void onlyTheOfficialRatioIsAccepted() throws Exception {
        ObjectNode root = published();
        root.put(ConfigKeys.DOWNSAMPLE_RATIO, 0.25);
        assertError(root, "downsample_ratio 0.25 is not supported");
        root.put(ConfigKeys.DOWNSAMPLE_RATIO, "half");
        assertError(root, "field 'downsample_ratio' must be a positive number");
    }

    @Test
    void aGridThatDoesNotHalveIntoWholeTokensIsAnError() throws Exception {
        ObjectNode root = published();
        vision(root).put(ConfigKeys.IMAGE_SIZE, 462);          // 33 x 33 patches: 272.25 tokens
        assertError(root, "image_size 462 / patch_size 14 gives (S/P)^2 * downsample_ratio^2 = 272.25");
        vision(root).put(ConfigKeys.IMAGE_SIZE, 450);          // not a multiple of the patch
        assertError(root, "image_size 450 / patch_size 14");
    }

    @Test
    void whatTheOfficialModulesCannotBuildOrThisPortDoesNotComputeIsAnError() throws Exception {
        record Bad(String key, Object value, String message) {
        }
        for (Bad bad : List.of(
                new Bad(ConfigKeys.NORM_TYPE, "batch_norm", "field 'vision_config.norm_type' is 'batch_norm'"),
                new Bad(ConfigKeys.HIDDEN_ACT, "gelu_new", "vision_config.hidden_act 'gelu_new' is not supported"),
                new Bad(ConfigKeys.NUM_ATTENTION_HEADS, 15,
                        "hidden_size 1024 is not divisible by num_attention_heads 15"),
                new Bad(ConfigKeys.QKV_BIAS, "yes", "field 'vision_config.qkv_bias' must be true or false"),
                new Bad(ConfigKeys.QK_NORMALIZATION, 1, "field 'vision_config.qk_normalization' must be true or false"),
                new Bad(ConfigKeys.HIDDEN_SIZE, 0, "field 'vision_config.hidden_size' must be a positive integer"),
                new Bad(ConfigKeys.LAYER_NORM_EPS, -1,
                        "field 'vision_config.layer_norm_eps' must be a positive number"))) {
            ObjectNode root = published();
            vision(root).set(bad.key(), JSON.valueToTree(bad.value()));
            assertError(root, bad.message());
        }
    }

    @Test
    void theLayoutOfThePublishedTowerHoldsItsParameterCount() {
        // docs/TROL_3_8B.md §1.1: 0.304e9 ViT + 0.022e9 projector for H = 3072, counted here exactly
        List<CheckpointLayout.Expected> all = InternVitWeights.expected(InternVitConfig.INTERN_VIT_300M_448PX, 3072);
        long params = all.stream().mapToLong(e -> product(e.shape())).sum();
        assertThat(params).isEqualTo(304_012_288L + 22_034_432L);
        assertThat(all).hasSize(4 + 24 * 14 + 6);
        assertThat(all.stream().map(CheckpointLayout.Expected::name)).contains(
                "vision_model.embeddings.class_embedding",
                "vision_model.embeddings.position_embedding",
                "vision_model.encoder.layers.23.attn.qkv.bias",
                "vision_model.encoder.layers.0.ls2",
                "vision_proj.0.weight", "vision_proj.1.bias", "vision_proj.3.weight")
                .noneMatch(n -> n.contains("q_norm") || n.startsWith("vision_proj.2"));
    }

    @Test
    void rmsNormLayersHaveNoBiasAndQkNormsOnlyWhenEnabled() {
        InternVitConfig d = InternVitConfig.OFFICIAL_DEFAULTS;
        List<String> names = InternVitWeights.expected(d, 8).stream().map(CheckpointLayout.Expected::name).toList();
        assertThat(names).contains(InternVitWeights.layer(0, "attn.q_norm.weight"),
                        InternVitWeights.layer(47, "attn.k_norm.weight"), InternVitWeights.layer(0, "norm1.weight"))
                .doesNotContain(InternVitWeights.layer(0, "norm1.bias"), InternVitWeights.layer(0, "attn.qkv.bias"));
        assertThat(names).hasSize(4 + 48 * 13 + 6);
    }

    private static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }

    private static void assertError(JsonNode root, String message) {
        assertThatThrownBy(() -> read(root)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(FILE.toString()).hasMessageContaining(message);
    }
}
