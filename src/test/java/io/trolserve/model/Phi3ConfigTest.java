package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.model.checkpoint.CheckpointException;

/**
 * {@link Phi3Config} reads {@code llm_config} as the official Phi3Config does (docs/TROL_3_8B.md
 * §1.2): its defaults, its rope_scaling validation, and a clear error naming the file and the
 * field for everything it would reject or we cannot serve.
 */
class Phi3ConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void readsTheReferenceConfigs() {
        Phi3Config su = Phi3Config.read(Phi3Fixture.DIR.resolve("su/config.json"));
        assertThat(su.vocabSize()).isEqualTo(96);
        assertThat(su.hiddenSize()).isEqualTo(64);
        assertThat(su.intermediateSize()).isEqualTo(96);
        assertThat(su.numLayers()).isEqualTo(2);
        assertThat(su.numHeads()).isEqualTo(4);
        assertThat(su.numKvHeads()).isEqualTo(2);
        assertThat(su.headDim()).isEqualTo(16);
        assertThat(su.groups()).isEqualTo(2);
        assertThat(su.qkvRows()).isEqualTo(128);
        assertThat(su.rmsNormEps()).isEqualTo(1e-5);
        assertThat(su.ropeTheta()).isEqualTo(10000.0);
        assertThat(su.maxPositions()).isEqualTo(64);
        assertThat(su.originalMaxPositions()).isEqualTo(16);
        assertThat(su.slidingWindow()).isNull();
        assertThat(su.bosTokenId()).isEqualTo(1);
        assertThat(su.eosTokenId()).isEqualTo(2);
        assertThat(su.tieWordEmbeddings()).isFalse();
        assertThat(su.ropeScaling().type()).isEqualTo(Phi3Config.RopeScaling.Type.SU);
        assertThat(su.ropeScaling().shortFactor()).hasSize(8).allMatch(f -> f >= 1 && f <= 4);
        assertThat(su.ropeScaling().longFactor()).hasSize(8).isNotEqualTo(su.ropeScaling().shortFactor());

        assertThat(Phi3Config.read(Phi3Fixture.DIR.resolve("window/config.json")).slidingWindow()).isEqualTo(4);
        assertThat(Phi3Config.read(Phi3Fixture.DIR.resolve("yarn/config.json")).ropeScaling().type())
                .isEqualTo(Phi3Config.RopeScaling.Type.YARN);
        assertThat(Phi3Config.read(Phi3Fixture.DIR.resolve("plain/config.json")).ropeScaling()).isNull();
    }

    @Test
    void absentFieldsTakeTheOfficialDefaults() throws IOException {
        ObjectNode llm = JSON.createObjectNode().put("vocab_size", 32064).put("hidden_size", 3072)
                .put("intermediate_size", 8192).put("num_hidden_layers", 32).put("num_attention_heads", 32);
        Phi3Config c = Phi3Config.read(write(llm));
        assertThat(c.numKvHeads()).isEqualTo(32);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.maxPositions()).isEqualTo(4096);
        assertThat(c.originalMaxPositions()).isEqualTo(4096);
        assertThat(c.slidingWindow()).isNull();
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenId()).isEqualTo(32000);
        assertThat(c.tieWordEmbeddings()).isFalse();
    }

    @Test
    void aConfigWithoutLlmConfigIsRefused() throws IOException {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"model_type\": \"trol\", \"vision_config\": {}}");
        assertThatThrownBy(() -> Phi3Config.read(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'llm_config' is missing");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                bad("hidden size missing", llm -> llm.remove("hidden_size"), "llm_config.hidden_size", "missing"),
                bad("hidden not divisible by heads", llm -> llm.put("num_attention_heads", 5),
                        "hidden_size 64 is not divisible by num_attention_heads 5"),
                bad("heads not divisible by kv heads", llm -> llm.put("num_key_value_heads", 3),
                        "num_attention_heads 4 is not divisible by num_key_value_heads 3"),
                bad("odd head dimension", llm -> llm.put("hidden_size", 12).put("num_attention_heads", 4),
                        "head dimension 3 must be even"),
                bad("activation", llm -> llm.put("hidden_act", "gelu"), "hidden_act 'gelu'"),
                bad("longrope", llm -> scaling(llm).put("type", "longrope"), "'longrope' is rejected by the official"),
                bad("dynamic", llm -> scaling(llm).put("type", "dynamic"), "rope_scaling.type 'dynamic' is not supported"),
                bad("short factors too few", llm -> ((ArrayNode) scaling(llm).get("short_factor")).remove(0),
                        "llm_config.rope_scaling.short_factor must have head_dim / 2 = 8 entries, found 7"),
                bad("long factors too many", llm -> ((ArrayNode) scaling(llm).get("long_factor")).add(1.0),
                        "llm_config.rope_scaling.long_factor must have head_dim / 2 = 8 entries, found 9"),
                bad("a factor that is no number", llm -> ((ArrayNode) scaling(llm).get("short_factor")).set(3, "x"),
                        "short_factor must hold positive numbers"),
                bad("a fourth rope_scaling field", llm -> scaling(llm).put("factor", 2.0), "exactly type, short_factor and long_factor"),
                bad("factors not a list", llm -> scaling(llm).put("long_factor", 1.0), "long_factor must be a list of numbers"),
                bad("zero window", llm -> llm.put("sliding_window", 0), "llm_config.sliding_window"),
                bad("eos beyond the vocabulary", llm -> llm.put("eos_token_id", 32000), "must be below vocab_size 96"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void aConfigTheOfficialClassOrWeWouldRejectIsRefusedClearly(String name, Consumer<ObjectNode> damage,
                                                                 List<String> fragments) throws IOException {
        ObjectNode llm = (ObjectNode) JSON.readTree(Phi3Fixture.DIR.resolve("su/config.json").toFile()).get("llm_config");
        damage.accept(llm);
        Path file = write(llm);
        var thrown = assertThatThrownBy(() -> Phi3Config.read(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString());
        fragments.forEach(thrown::hasMessageContaining);
    }

    private static Arguments bad(String name, Consumer<ObjectNode> damage, String... fragments) {
        return Arguments.of(name, damage, List.of(fragments));
    }

    private static ObjectNode scaling(ObjectNode llm) {
        return (ObjectNode) llm.get("rope_scaling");
    }

    private Path write(ObjectNode llm) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("model_type", "trol");
        root.set("llm_config", llm);
        Path file = tmp.resolve("config.json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }
}
