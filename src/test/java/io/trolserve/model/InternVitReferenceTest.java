package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.model.checkpoint.JsonFiles;
import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.TorchSaveReader;
import io.trolserve.torch.Libtorch;

/**
 * The InternViT tower, pixel shuffle and projector against the independent PyTorch reference
 * ({@code tools/reference/internvit_reference.py}, float32 CPU): its state dict's names and shapes
 * are exactly {@link InternVitWeights#expected}, and from the same tile bytes the Java tower gives
 * the reference's shuffled tokens and projected features within 1e-5 (max abs).
 */
class InternVitReferenceTest {

    private static final Path CASES = Path.of("src/test/resources/reference/internvit");
    private static final float TOLERANCE = 1e-5f;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"layer-norm-448", "rms-norm-qk-norm", "resized-positions"})
    void matchesTheReference(String name) {
        Libtorch.ensureLoaded();
        Path dir = CASES.resolve(name);
        Path configFile = dir.resolve(ConfigKeys.FILE);
        JsonNode config = JsonFiles.readObject(configFile);
        InternVitConfig c = InternVitConfig.fromJson(config, new ConfigReader(configFile));
        long lmHidden = config.get("llm_config").get(ConfigKeys.HIDDEN_SIZE).asLong();
        JsonNode kase = JsonFiles.readObject(dir.resolve("case.json"));
        int tiles = kase.get("tiles").asInt();
        int side = kase.get("side").asInt();

        Map<String, RawTensor> stored = TorchSaveReader.read(dir.resolve("weights.pt"));
        assertThat(shapes(stored)).as("state dict names and shapes").isEqualTo(expectedShapes(c, lmHidden));
        Map<String, RawTensor> expected = TorchSaveReader.read(dir.resolve("expected.pt"));

        try (PointerScope scope = new PointerScope()) {
            InternVitWeights w = InternVitWeights.fromNamed(c, n -> tensor(stored.get(n)));
            InternVitTower tower = new InternVitTower(w, c);
            Tensor pixels = TilePixels.normalise(tiles(kase.get("lcg_seed").asLong(), tiles, side), side,
                    Placement.cpuFloat32());                                                 // (N, 3, S, S)

            Tensor shuffled = tower.shuffled(pixels);                                        // (N, T, 4C)
            Tensor features = tower.project(shuffled);                                       // (N*T, H)
            long tokens = (long) (side / c.patchSize()) * (side / c.patchSize()) / 4;
            assertThat(shuffled.sizes().vec().get()).containsExactly(tiles, tokens, c.shuffledWidth());
            assertThat(features.sizes().vec().get()).containsExactly(tiles * tokens, lmHidden);
            float shuffledDiff = maxAbsDiff(shuffled, expected.get("shuffled"));
            float featuresDiff = maxAbsDiff(features, expected.get("features"));
            System.out.printf("InternVitReferenceTest %-18s max |diff| shuffled %.3g, features %.3g%n",
                    name, shuffledDiff, featuresDiff);
            assertThat(shuffledDiff).as("pixel-shuffled encoder output").isLessThan(TOLERANCE);
            assertThat(featuresDiff).as("projected features").isLessThan(TOLERANCE);
            assertThat(maxAbsDiff(tower.features(pixels), expected.get("features"))).isEqualTo(featuresDiff);
        }
    }

    /** case.json's tiles: the reference's 31-bit LCG, one byte per step, tiles back to back. */
    static List<byte[]> tiles(long seed, int count, int side) {
        List<byte[]> out = new ArrayList<>();
        long state = seed;
        for (int t = 0; t < count; t++) {
            byte[] rgb = new byte[side * side * 3];
            for (int i = 0; i < rgb.length; i++) {
                state = (1103515245L * state + 12345L) & 0x7FFFFFFFL;
                rgb[i] = (byte) (state >>> 16);
            }
            out.add(rgb);
        }
        return out;
    }

    private static Tensor tensor(RawTensor raw) {
        assertThat(raw).isNotNull();
        return AbstractTensor.create(raw.toFloatArray(), raw.shape());
    }

    private static float maxAbsDiff(Tensor actual, RawTensor expected) {
        assertThat(actual.sizes().vec().get()).containsExactly(expected.shape());
        Tensor want = tensor(expected);
        return actual.sub(want).abs().max().item_float();
    }

    private static Map<String, String> shapes(Map<String, RawTensor> stored) {
        Map<String, String> out = new TreeMap<>();
        stored.forEach((n, t) -> out.put(n, Arrays.toString(t.shape())));
        return out;
    }

    private static Map<String, String> expectedShapes(InternVitConfig c, long lmHidden) {
        Map<String, String> out = new LinkedHashMap<>();
        for (CheckpointLayout.Expected e : InternVitWeights.expected(c, lmHidden)) {
            assertThat(out.put(e.name(), Arrays.toString(e.shape()))).as("listed twice: %s", e.name()).isNull();
        }
        return new TreeMap<>(out);
    }
}
