package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.InferenceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.SafetensorsWriter;
import io.trolserve.tiny.TinyCheckpointFiles;

/**
 * Loading a TroL-3.8B checkpoint (docs/TROL_3_8B.md §1): both weight layouts give the same
 * model, extra {@code trol_gating.*} weights are ignored, and every bad checkpoint of issue 12 is
 * a CheckpointException naming the file and what is wrong, before any tensor is built.
 */
class Phi3CheckpointLoaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path write(String name, Phi3CheckpointSpec spec) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        TinyCheckpointFiles.writePhi3(dir, spec);
        return dir;
    }

    private static RequestOutput answer(Path dir) {
        try (InferenceMode guard = new InferenceMode();
             TrolModel model = TrolModel.load(dir, Placement.cpuFloat32());
             TrolTokenizer tokenizer = TrolTokenizer.load(dir)) {
            assertThat(model).isInstanceOf(Phi3Trol.class);
            int[] prompt = {model.config().bosTokenId(), 17, 230, 5, 901, 44, 12, 600};
            EngineRequest request = new EngineRequest("q", prompt, List.of(), SamplingParams.greedy(6), null, true);
            return new PlainGenerator(model, tokenizer, 0).generate(request);
        }
    }

    @Test
    void singleFileAndShardsGiveTheSameAnswer() throws IOException {
        RequestOutput single = answer(write("single", Phi3CheckpointSpec.tiny()));
        Path sharded = write("sharded", Phi3CheckpointSpec.tiny().toBuilder().shards(3).build());
        assertThat(sharded.resolve(MappedWeights.SHARD_INDEX)).exists();
        assertThat(sharded.resolve(MappedWeights.SINGLE_FILE)).doesNotExist();
        RequestOutput fromShards = answer(sharded);

        assertThat(single.tokenIds()).hasSize(6).containsExactly(fromShards.tokenIds());
        for (int i = 0; i < single.logits().size(); i++) {
            assertThat(fromShards.logits().get(i)).containsExactly(single.logits().get(i));
        }
    }

    @Test
    void extraTrolGatingWeightsAreIgnoredButOtherExtrasAreNot() throws IOException {
        Path dir = write("extra", Phi3CheckpointSpec.tiny().toBuilder().shards(2).build());
        RequestOutput before = answer(dir);
        addShard(dir, "extra.safetensors", "language_model.model.trol_gating.0.weight");
        assertThat(answer(dir).tokenIds()).containsExactly(before.tokenIds());

        addShard(dir, "stray.safetensors", "language_model.model.stray.weight");
        assertLoadFails(dir, "stray.safetensors", "unexpected tensor language_model.model.stray.weight");
    }

    @Test
    void missingLlmConfig() throws IOException {
        Path dir = write("no-llm", Phi3CheckpointSpec.tiny());
        editConfig(dir, root -> root.remove("llm_config"));
        assertLoadFails(dir, "config.json", "llm_config", "missing");
    }

    @Test
    void tileSizeOtherThan448() throws IOException {
        Path dir = write("tile", Phi3CheckpointSpec.tiny());
        editConfig(dir, root -> ((ObjectNode) root.get("vision_config")).put("image_size", 224));
        assertLoadFails(dir, "config.json", "image_size 224", "448");
    }

    @Test
    void missingShard() throws IOException {
        Path dir = write("shards", Phi3CheckpointSpec.tiny().toBuilder().shards(2).build());
        String shard = JSON.readTree(dir.resolve(MappedWeights.SHARD_INDEX).toFile()).get("weight_map")
                .elements().next().asText();
        Files.delete(dir.resolve(shard));
        assertLoadFails(dir, shard, "missing");
    }

    @Test
    void misShapedTensorsAreNamedWithTheirFile() throws IOException {
        Path dir = write("shapes", Phi3CheckpointSpec.tiny());
        editConfig(dir, root -> ((ObjectNode) root.get("llm_config")).put("intermediate_size", 160));
        assertLoadFails(dir, "model.safetensors: tensor language_model.model.layers.1.mlp.down_proj.weight has shape",
                "[64, 176] but config.json implies [64, 160]");
    }

    @Test
    void missingTensorsAreNamed() throws IOException {
        Path dir = write("missing", Phi3CheckpointSpec.tiny().toBuilder().shards(2).build());
        editConfig(dir, root -> ((ObjectNode) root.get("llm_config")).put("num_hidden_layers", 3));
        assertLoadFails(dir, "missing tensor language_model.model.layers.2.self_attn.qkv_proj.weight [128, 64]",
                "missing tensor language_model.model.layers.2.mlp.down_proj.weight [64, 176]");
    }

    @Test
    void gatesOfTheWrongWidth() throws IOException {
        Path dir = write("gates", Phi3CheckpointSpec.tiny());
        Path other = write("wide", Phi3CheckpointSpec.tiny().toBuilder().language(96, 176, 2, 4, 2).build());
        Files.copy(other.resolve("trol_gating.pt"), dir.resolve("trol_gating.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertLoadFails(dir, "trol_gating.pt", "0.weight has shape [1, 96], expected [1, 64]");
    }

    @Test
    void tokenizerWithoutImageContext() throws IOException {
        Path dir = write("tok", Phi3CheckpointSpec.tiny());
        Path file = dir.resolve(TrolTokenizer.FILE_NAME);
        Files.writeString(file, Files.readString(file).replace("<IMG_CONTEXT>", "<IMG_CONTEXTX>"));
        assertLoadFails(dir, "tokenizer.json", "<IMG_CONTEXT>");
    }

    private static void assertLoadFails(Path dir, String... fragments) {
        var thrown = assertThatThrownBy(() -> TrolModel.load(dir, Placement.cpuFloat32()).close())
                .isInstanceOf(CheckpointException.class);
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    private static void editConfig(Path dir, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve(ConfigKeys.FILE);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        JSON.writeValue(file.toFile(), root);
    }

    /** One more shard holding a (4) float32 tensor under {@code name}, listed in the index. */
    private static void addShard(Path dir, String file, String name) throws IOException {
        SafetensorsWriter.write(dir.resolve(file), List.of(new SafetensorsWriter.Declared(name, DType.F32, new long[] {4})),
                Map.of("format", "pt"), (t, out) -> out.put(ByteBuffer.allocate(16)));
        Path index = dir.resolve(MappedWeights.SHARD_INDEX);
        ObjectNode root = (ObjectNode) JSON.readTree(index.toFile());
        ((ObjectNode) root.get("weight_map")).put(name, file);
        JSON.writeValue(index.toFile(), root);
    }
}
