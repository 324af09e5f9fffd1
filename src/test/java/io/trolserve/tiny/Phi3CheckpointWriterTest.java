package io.trolserve.tiny;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.model.ConfigKeys;
import io.trolserve.model.InternVitConfig;
import io.trolserve.model.InternVitTower;
import io.trolserve.model.InternVitWeights;
import io.trolserve.model.Phi3Config;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.SafetensorsFile;
import io.trolserve.model.checkpoint.TorchSaveReader;
import io.trolserve.torch.Libtorch;

/**
 * The TroL-3.8B-layout writer (docs/TROL_3_8B.md §1): its config.json reads back through the
 * model's readers with the spec's values, its safetensors hold exactly the model's tables, its
 * gating file is the official shape, equal seeds give equal bytes, and the tower runs on the weights.
 */
class Phi3CheckpointWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void configReadsBackWithTheSpecsValues() throws IOException {
        for (Phi3CheckpointSpec spec : List.of(Phi3CheckpointSpec.tiny(), Phi3CheckpointSpec.medium(),
                Phi3CheckpointSpec.tiny().toBuilder().ropeScaling(null).slidingWindow(null).build(),
                Phi3CheckpointSpec.tiny().toBuilder().ropeScaling(Phi3Config.RopeScaling.Type.YARN)
                        .visionLayout(false, true, InternVitConfig.NormType.RMS_NORM).build())) {
            Path file = tmp.resolve(spec.hashCode() + "-" + ConfigKeys.FILE);
            Phi3CheckpointWriter.writeConfig(file, spec);
            assertThat(Phi3Config.read(file)).isEqualTo(spec.phi3Config());
            assertThat(InternVitConfig.read(file)).isEqualTo(spec.visionConfig());
        }
    }

    @Test
    void configHasThePublishedStructure() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny();
        Path file = tmp.resolve(ConfigKeys.FILE);
        Phi3CheckpointWriter.writeConfig(file, spec);
        JsonNode root = JSON.readTree(file.toFile());
        assertThat(root.get("model_type").asText()).isEqualTo("trol");
        assertThat(root.get("architectures").get(0).asText()).isEqualTo("TroLForCausalLM");
        assertThat(root.get("downsample_ratio").asDouble()).isEqualTo(0.5);
        assertThat(root.get("select_layer").asInt()).isEqualTo(-1);
        assertThat(root.get("min_dynamic_patch").asInt()).isEqualTo(1);
        assertThat(root.get("max_dynamic_patch").asInt()).isEqualTo(6);
        assertThat(root.get("dynamic_image_size").asBoolean()).isTrue();
        assertThat(root.get("use_thumbnail").asBoolean()).isTrue();
        assertThat(root.get("ps_version").asText()).isEqualTo("v1");

        JsonNode vision = root.get("vision_config");
        assertThat(vision.get("image_size").asInt()).isEqualTo(448);
        assertThat(vision.get("patch_size").asInt()).isEqualTo(14);
        assertThat(vision.get("qkv_bias").asBoolean()).isTrue();
        assertThat(vision.get("qk_normalization").asBoolean()).isFalse();
        assertThat(vision.get("norm_type").asText()).isEqualTo("layer_norm");
        assertThat(vision.get("hidden_act").asText()).isEqualTo("gelu");
        assertThat(vision.get("layer_norm_eps").asDouble()).isEqualTo(1e-6);

        JsonNode llm = root.get("llm_config");
        assertThat(llm.get("model_type").asText()).isEqualTo("phi3");
        assertThat(llm.get("tie_word_embeddings").asBoolean()).isFalse();
        assertThat(llm.get("sliding_window").asInt()).isEqualTo(2047);
        JsonNode scaling = llm.get("rope_scaling");
        List<String> keys = new ArrayList<>();
        scaling.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("type", "short_factor", "long_factor");
        assertThat(scaling.get("type").asText()).isEqualTo("su");
        int halfHeadDim = spec.hiddenSize() / spec.numHeads() / 2;
        assertThat(scaling.get("short_factor")).hasSize(halfHeadDim);
        assertThat(scaling.get("long_factor")).hasSize(halfHeadDim);
        // max > original gives the su magnitude sqrt(1 + ln 32 / ln 4096) > 1, so it is exercised
        assertThat(llm.get("max_position_embeddings").asInt() / llm.get("original_max_position_embeddings").asInt())
                .isEqualTo(32);
    }

    @Test
    void singleFileHoldsExactlyTheModelsTables() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny();
        Phi3CheckpointWriter.write(tmp, spec);
        assertThat(tmp.resolve(MappedWeights.SINGLE_FILE)).exists();
        assertThat(tmp.resolve(MappedWeights.SHARD_INDEX)).doesNotExist();
        Map<String, List<Long>> stored = storedShapes(tmp, DType.F32);
        assertThat(stored).isEqualTo(tableShapes(spec));
        // the tables themselves, spelled out for the tiny preset: 4 embedding tensors, 14 per
        // vision layer (LayerNorm, qkv bias), 6 projector, embed, 6 per LM layer, norm, lm_head
        assertThat(stored).hasSize(4 + 14 * 2 + 6 + 1 + 6 * 2 + 2);
        assertThat(stored.get("vision_model.embeddings.position_embedding")).containsExactly(1L, 1025L, 32L);
        assertThat(stored.get("vision_model.encoder.layers.1.attn.qkv.bias")).containsExactly(96L);
        assertThat(stored.get("vision_proj.0.weight")).containsExactly(128L);
        assertThat(stored.get("vision_proj.1.weight")).containsExactly(64L, 128L);
        assertThat(stored.get("language_model.model.layers.1.self_attn.qkv_proj.weight")).containsExactly(128L, 64L);
        assertThat(stored.get("language_model.model.layers.0.mlp.gate_up_proj.weight")).containsExactly(352L, 64L);
        assertThat(stored.get("language_model.lm_head.weight")).containsExactly(1024L, 64L);
    }

    @Test
    void shardsWithAnIndexHoldExactlyTheModelsTables() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny().toBuilder().shards(3).dtype(DType.BF16)
                .visionLayout(false, true, InternVitConfig.NormType.RMS_NORM).build();
        Phi3CheckpointWriter.write(tmp, spec);
        assertThat(tmp.resolve(MappedWeights.SINGLE_FILE)).doesNotExist();
        JsonNode index = JSON.readTree(tmp.resolve(MappedWeights.SHARD_INDEX).toFile());
        assertThat(index.get("weight_map").size()).isEqualTo(Phi3CheckpointWriter.expected(spec).size());
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")))
                    .containsExactlyInAnyOrder("model-00001-of-00003.safetensors",
                            "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors");
        }
        Map<String, List<Long>> stored = storedShapes(tmp, DType.BF16);
        assertThat(stored).isEqualTo(tableShapes(spec));
        // RMSNorm: no norm biases; qk_normalization: q_norm and k_norm; no qkv bias
        assertThat(stored).containsKey("vision_model.encoder.layers.0.attn.q_norm.weight")
                .doesNotContainKey("vision_model.encoder.layers.0.norm1.bias")
                .doesNotContainKey("vision_model.encoder.layers.0.attn.qkv.bias");
    }

    @Test
    void gatingFileIsTheOfficialSharedStateDict() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny().toBuilder().gate(TinyCheckpointSpec.Gate.CLOSED).build();
        Phi3CheckpointWriter.write(tmp, spec);
        Map<String, RawTensor> gates = TorchSaveReader.read(tmp.resolve(CheckpointLayout.GATES_TORCH_FILE));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < spec.numLayers(); i++) {
            keys.add(i + ".weight");
            keys.add(i + ".bias");
        }
        assertThat(gates.keySet()).containsExactlyElementsOf(keys);
        for (int i = 0; i < spec.numLayers(); i++) {
            RawTensor w = gates.get(i + ".weight");
            RawTensor b = gates.get(i + ".bias");
            assertThat(w.shape()).containsExactly(1L, spec.hiddenSize());
            assertThat(b.shape()).containsExactly(1L);
            assertThat(w.dtype()).isEqualTo(DType.BF16);
            assertThat(b.dtype()).isEqualTo(DType.BF16);
            // one Linear repeated L times: every entry views the same two storages
            assertThat(w.storageKey()).isEqualTo(gates.get("0.weight").storageKey());
            assertThat(b.storageKey()).isEqualTo(gates.get("0.bias").storageKey()).isNotEqualTo(w.storageKey());
            assertThat(b.toFloatArray()).containsExactly(-20f);
        }
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny().toBuilder().dtype(DType.F16).build();
        Phi3CheckpointWriter.write(tmp.resolve("a"), spec);
        Phi3CheckpointWriter.write(tmp.resolve("b"), spec);
        Phi3CheckpointWriter.write(tmp.resolve("c"), spec.toBuilder().seed(spec.seed() + 1).build());
        for (String name : List.of(ConfigKeys.FILE, MappedWeights.SINGLE_FILE, CheckpointLayout.GATES_TORCH_FILE)) {
            assertThat(Files.readAllBytes(tmp.resolve("b").resolve(name)))
                    .as(name).isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(name)));
        }
        assertThat(Files.readAllBytes(tmp.resolve("c").resolve(MappedWeights.SINGLE_FILE)))
                .isNotEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(MappedWeights.SINGLE_FILE)));
    }

    @Test
    void theWrittenTowerTurnsA448TileInto256FiniteDistinctTokens() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny();
        Phi3CheckpointWriter.write(tmp, spec);
        Libtorch.ensureLoaded();
        InternVitConfig vision = InternVitConfig.read(tmp.resolve(ConfigKeys.FILE));
        Random random = new Random(5);
        float[] pixels = new float[3 * 448 * 448];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();   // ImageNet-normalised pixels are about unit scale
        }
        try (MappedWeights weights = MappedWeights.openCheckpoint(tmp);
             PointerScope scope = new PointerScope()) {
            InternVitTower tower = new InternVitTower(InternVitWeights.fromNamed(vision, weights::view), vision);
            Tensor tile = AbstractTensor.create(pixels).reshape(1, 3, 448, 448);                // (1, 3, 448, 448)
            Tensor features = tower.features(tile);                                             // (256, H)
            assertThat(features.sizes().vec().get()).containsExactly(256L, spec.hiddenSize());
            float[] values = new float[256 * spec.hiddenSize()];
            features.contiguous().data_ptr_float().get(values);
            double sum = 0;
            double sumSquares = 0;
            for (float v : values) {
                assertThat(Float.isFinite(v)).isTrue();
                sum += v;
                sumSquares += v * v;
            }
            double mean = sum / values.length;
            assertThat(Math.sqrt(sumSquares / values.length - mean * mean)).isBetween(0.05, 50.0);
            Tensor first = features.select(0, 0);                                              // (H)
            Tensor last = features.select(0, 255);                                             // (H)
            assertThat(first.sub(last).abs().max().item_float()).isGreaterThan(1e-3f);
        }
    }

    /** Every stored tensor's shape by name, all in the expected dtype. */
    private static Map<String, List<Long>> storedShapes(Path dir, DType dtype) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        try (MappedWeights weights = MappedWeights.openCheckpoint(dir)) {
            weights.tensors().forEach((name, located) -> {
                SafetensorsFile.Entry e = located.entry();
                assertThat(e.dtype(located.file().path())).as(name).isEqualTo(dtype);
                out.put(name, boxed(e.shape()));
            });
        }
        return out;
    }

    /** The model classes' tables: InternVitWeights.expected, Phi3LayerWeights.shapes and the LM names. */
    private static Map<String, List<Long>> tableShapes(Phi3CheckpointSpec spec) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        InternVitWeights.expected(spec.visionConfig(), spec.hiddenSize())
                .forEach(e -> out.put(e.name(), boxed(e.shape())));
        Phi3CheckpointWriter.languageModel(spec.phi3Config()).forEach(e -> out.put(e.name(), boxed(e.shape())));
        return out;
    }

    private static List<Long> boxed(long[] shape) {
        List<Long> out = new ArrayList<>();
        for (long d : shape) {
            out.add(d);
        }
        return out;
    }
}
