package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.tiny.TinyCheckpointSpec;

/**
 * Every kind of bad checkpoint is a CheckpointException whose message names the file and, where
 * one is at fault, the tensor with expected and found shapes; never a crash or a wrong answer.
 */
class CheckpointLoaderErrorsTest {

    private static final String WO = "model.layers.1.attention.wo.ffn.weight";

    @TempDir
    Path tmp;

    private Path damaged() throws IOException {
        return CheckpointSurgery.copy(TinyCheckpoints.of(TinyCheckpointSpec.micro()), tmp.resolve("ckpt"));
    }

    private static void assertLoadFails(Path dir, String... fragments) {
        var thrown = assertThatThrownBy(() -> CheckpointLoader.load(dir, Placement.cpuFloat32()).close())
                .isInstanceOf(CheckpointException.class);
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = damaged();
        Files.delete(dir.resolve("config.json"));
        assertLoadFails(dir, "config.json", "missing");
    }

    @Test
    void configThatIsNotJson() throws IOException {
        Path dir = damaged();
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": 1024,");
        assertLoadFails(dir, "config.json", "not valid JSON");
    }

    @Test
    void configMissingARequiredField() throws IOException {
        Path dir = damaged();
        editConfig(dir, "\"num_hidden_layers\" : 2,", "");
        assertLoadFails(dir, "config.json", "num_hidden_layers");
    }

    @Test
    void configThatContradictsTheWeights() throws IOException {
        Path dir = damaged();
        editConfig(dir, "\"hidden_size\" : 64", "\"hidden_size\" : 96");
        assertLoadFails(dir, "do not match config.json", "model.tok_embeddings.weight has shape [1025, 64]",
                "config.json implies [1025, 96]");
    }

    @Test
    void configWithMoreLayersThanStored() throws IOException {
        Path dir = damaged();
        editConfig(dir, "\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3");
        assertLoadFails(dir, "missing tensor model.layers.2.attention.wqkv.ffn.weight");
    }

    @Test
    void missingTensor() throws IOException {
        Path dir = damaged();
        CheckpointSurgery.editWeights(dir, all -> without(all, WO));
        assertLoadFails(dir, "missing tensor " + WO + " [64, 64]");
    }

    @Test
    void unexpectedTensor() throws IOException {
        Path dir = damaged();
        CheckpointSurgery.editWeights(dir, all -> {
            List<CheckpointSurgery.Stored> out = new ArrayList<>(all);
            out.add(new CheckpointSurgery.Stored("model.layers.0.attention.extra.weight", "F32", new long[] {2}, new byte[8]));
            return out;
        });
        assertLoadFails(dir, "unexpected tensor model.layers.0.attention.extra.weight [2]");
    }

    @Test
    void misShapedTensor() throws IOException {
        Path dir = damaged();
        CheckpointSurgery.editWeights(dir, all -> all.stream()
                .map(s -> s.name().equals(WO) ? new CheckpointSurgery.Stored(s.name(), s.dtype(), new long[] {32, 128}, s.bytes()) : s)
                .toList());
        assertLoadFails(dir, "tensor " + WO + " has shape [32, 128] but config.json implies [64, 64]");
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path dir = damaged();
        CheckpointSurgery.editWeights(dir, all -> all.stream()
                .map(s -> s.name().equals(WO) ? new CheckpointSurgery.Stored(s.name(), "I32", s.shape(), s.bytes()) : s)
                .toList());
        assertLoadFails(dir, "model.safetensors", "tensor '" + WO + "' has dtype I32; supported: F32, F16, BF16");
    }

    @Test
    void truncatedWeights() throws IOException {
        Path dir = damaged();
        Path file = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 1000));
        assertLoadFails(dir, "model.safetensors", "truncated or corrupt");
    }

    @Test
    void weightsWithAGarbageHeader() throws IOException {
        Path dir = damaged();
        Path file = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        byte[] junk = "@@not json@@".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(junk, 0, all, 8, junk.length);
        Files.write(file, all);
        assertLoadFails(dir, "model.safetensors", "corrupt header");
    }

    @Test
    void weightsWithALyingHeaderLength() throws IOException {
        Path dir = damaged();
        Path file = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(file);
        all[6] = 0x7f;
        Files.write(file, all);
        assertLoadFails(dir, "model.safetensors", "header length");
    }

    @Test
    void noWeightsAtAll() throws IOException {
        Path dir = damaged();
        Files.delete(dir.resolve("model.safetensors"));
        assertLoadFails(dir, "no weights");
    }

    @Test
    void shardIndexNamingAMissingShard() throws IOException {
        Path dir = CheckpointSurgery.copy(TinyCheckpoints.of(TinyCheckpointSpec.micro().toBuilder().shards(2).build()),
                tmp.resolve("sharded"));
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertLoadFails(dir, "model-00002-of-00002.safetensors", "missing");
    }

    @Test
    void shardIndexPointingOutsideTheCheckpoint() throws IOException {
        Path dir = CheckpointSurgery.copy(TinyCheckpoints.of(TinyCheckpointSpec.micro().toBuilder().shards(2).build()),
                tmp.resolve("escape"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("model-00002-of-00002", "../../etc/passwd"));
        assertLoadFails(dir, "points outside the checkpoint");
    }

    @Test
    void missingGates() throws IOException {
        Path dir = damaged();
        Files.delete(dir.resolve("trol_gating.pt"));
        assertLoadFails(dir, "trol_gating.pt", "trol_gating.safetensors", "missing");
    }

    @Test
    void gatesForFewerLayers() throws IOException {
        Path dir = damaged();
        Path gates = TinyCheckpoints.of(TinyCheckpointSpec.micro().toBuilder().language(64, 176, 1, 4, 2).build())
                .resolve("trol_gating.pt");
        Files.copy(gates, dir.resolve("trol_gating.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertLoadFails(dir, "trol_gating.pt", "missing tensor 1.weight [1, 64]", "missing tensor 1.bias [1]");
    }

    @Test
    void gatesThatAreNotATorchFile() throws IOException {
        Path dir = damaged();
        Files.writeString(dir.resolve("trol_gating.pt"), "definitely not a zip");
        assertLoadFails(dir, "trol_gating.pt");
    }

    @Test
    void positionTableThatIsNotASquareGrid() throws IOException {
        Path dir = damaged();
        String pos = CheckpointLayout.POSITION_EMBEDDING;
        CheckpointSurgery.editWeights(dir, all -> all.stream()
                .map(s -> s.name().equals(pos)
                        ? new CheckpointSurgery.Stored(pos, "F32", new long[] {16, 32}, Arrays.copyOf(s.bytes(), 16 * 32 * 4))
                        : s)
                .toList());
        assertLoadFails(dir, pos, "16 rows is not n*n+1");
    }

    private static List<CheckpointSurgery.Stored> without(List<CheckpointSurgery.Stored> all, String name) {
        return all.stream().filter(s -> !s.name().equals(name)).toList();
    }

    private static void editConfig(Path dir, String from, String to) throws IOException {
        Path config = dir.resolve("config.json");
        String text = Files.readString(config);
        if (!text.contains(from)) {
            throw new IllegalStateException("config.json has no '" + from + "':\n" + text);
        }
        Files.writeString(config, text.replace(from, to));
    }
}
