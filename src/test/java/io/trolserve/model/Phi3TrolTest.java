package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.TinyCheckpointFiles;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DynamicTiling;

/**
 * {@link Phi3Trol} behind the engine's interface: image features replace exactly the prompt rows
 * of {@code <IMG_CONTEXT>}, in order (docs/TROL_3_8B.md §4), never a sampled decode token of that id;
 * an image encodes to 256 rows per tile of its dynamic tiling (§3); sizes come from the config; the
 * FLOP model refuses this variant by name.
 */
class Phi3TrolTest {

    @TempDir
    static Path dir;

    private static TrolModel model;
    private static Tensor embedTokens;   // (V, H) read from the file, not through the loader
    private static MappedWeights mapped;

    @BeforeAll
    static void load() throws IOException {
        TinyCheckpointFiles.writePhi3(dir, Phi3CheckpointSpec.tiny());
        model = TrolModel.load(dir, Placement.cpuFloat32());
        mapped = MappedWeights.openCheckpoint(dir);
        embedTokens = mapped.view(Phi3LanguageModel.EMBED_TOKENS);
    }

    @AfterAll
    static void close() {
        embedTokens.close();
        mapped.close();
        model.close();
    }

    /** Logits of every row of one fresh sequence (traversed) plus, optionally, a decode row of another. */
    private static float[][] logits(int[] prompt, Tensor images, Integer decodeToken) {
        try (InferenceMode guard = new InferenceMode();
             ContiguousKvStore pass1 = model.newKvStore(32);
             ContiguousKvStore pass2 = model.newKvStore(32);
             ContiguousKvStore other = model.newKvStore(32);
             PointerScope scope = new PointerScope()) {
            List<ForwardBatch.Sequence> sequences = new ArrayList<>(
                    List.of(new ForwardBatch.Sequence(prompt.length, 0, true, pass1, pass2)));
            int[] ids = prompt;
            if (decodeToken != null) {
                sequences.add(new ForwardBatch.Sequence(1, 0, false, other, null));
                ids = java.util.Arrays.copyOf(prompt, prompt.length + 1);
                ids[prompt.length] = decodeToken;
            }
            int[] rows = new int[ids.length];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i;
            }
            return Phi3Steps.rows(model.forward(new ForwardBatch(ids, sequences, images, rows)));
        }
    }

    private static Tensor embeddingsOf(int... ids) {
        long[] longs = java.util.Arrays.stream(ids).asLongStream().toArray();
        return torch.embedding(embedTokens, org.bytedeco.pytorch.AbstractTensor.create(longs)).clone(); // (n, H)
    }

    @Test
    void imageFeaturesReplaceTheImageContextRowsInOrder() {
        int img = model.imageTokenId();
        int[] withImage = {1, 40, img, img, img, 77, 9};
        int[] asText = {1, 40, 300, 301, 302, 77, 9};
        float[][] expected = logits(asText, null, null);
        try (Tensor features = embeddingsOf(300, 301, 302)) {
            float[][] actual = logits(withImage, features, null);
            for (int r = 0; r < expected.length; r++) {
                assertThat(actual[r]).as("row %d", r).containsExactly(expected[r]);
            }
        }
        try (Tensor reversed = embeddingsOf(302, 301, 300)) {
            assertThat(logits(withImage, reversed, null)[6]).as("order matters").isNotEqualTo(expected[6]);
        }
    }

    @Test
    void aDecodeRowOfTheImageContextIdIsAnOrdinaryToken() {
        int img = model.imageTokenId();
        try (Tensor features = embeddingsOf(300, 301)) {
            // two image rows in the prompt chunk take the two feature rows; the decode row keeps its embedding
            float[][] batched = logits(new int[] {1, img, img, 5}, features, img);
            assertThat(batched[4]).containsExactly(logitsOfDecode(img)[0], within(1e-5f));
        }
    }

    private static float[][] logitsOfDecode(int token) {
        try (InferenceMode guard = new InferenceMode();
             ContiguousKvStore store = model.newKvStore(8);
             PointerScope scope = new PointerScope()) {
            return Phi3Steps.rows(model.forward(new ForwardBatch(new int[] {token},
                    List.of(new ForwardBatch.Sequence(1, 0, false, store, null)), null, new int[] {0})));
        }
    }

    @Test
    void anImageEncodesTo256RowsPerTile() {
        Random random = new Random(5);
        byte[] rgb = new byte[1000 * 300 * 3];
        random.nextBytes(rgb);
        int tiles = DynamicTiling.choose(1000, 300).imageCount();
        assertThat(tiles).isEqualTo(4);   // (3, 1) plus the thumbnail, docs/TROL_3_8B.md §3.3
        try (InferenceMode guard = new InferenceMode(); PointerScope scope = new PointerScope()) {
            Tensor features = model.encodeImage(1000, 300, rgb);
            assertThat(features.sizes().vec().get()).containsExactly(256L * tiles, model.config().hiddenSize());
            // the engine's batched path: the tiles' pixels, each tile's 256 rows, the same rows in order
            Tensor pixels = model.preprocess(1000, 300, rgb);
            assertThat(pixels.sizes().vec().get()).containsExactly((long) tiles, 3L, 448L, 448L);
            Tensor perTile = model.encodePixels(pixels);
            assertThat(perTile.sizes().vec().get()).containsExactly((long) tiles, 256L, model.config().hiddenSize());
            assertThat(perTile.reshape(-1, model.config().hiddenSize()).equal(features)).isTrue();
        }
        assertThat(model.imageTokensPerImage()).isEqualTo(256);
        assertThat(model.imagePolicy().tiles(1000, 300)).isEqualTo(tiles);
        assertThat(model.imagePolicy().tokens(1000, 300)).isEqualTo(256 * tiles);
    }

    @Test
    void sizesComeFromTheConfig() {
        Phi3Config c = (Phi3Config) model.config();
        assertThat(model.kvLayout()).isEqualTo(new KvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), model.placement()));
        assertThat(model.maxPositions()).isEqualTo(4096);   // su scaling: positions up to original_max_position_embeddings
        assertThatThrownBy(() -> model.newKvStore(4097)).isInstanceOf(IllegalArgumentException.class);
        assertThat(model.imageSize()).isEqualTo(448);
        assertThat(model.weightBytes()).isGreaterThan(model.decodeStepBytes()).isPositive();
    }

    @Test
    void flopCountsComeFromBothConfigs() {
        ModelFlops flops = ModelFlops.of(model);
        ModelFlops expected = new ModelFlops((Phi3Config) model.config(), ((Phi3Trol) model).visionConfig());
        assertThat(flops.visionPerTile()).isEqualTo(expected.visionPerTile()).isPositive();
        assertThat(flops.prompt(300, 256)).isEqualTo(expected.prompt(300, 256));
        assertThat(flops.adaptersPerImageToken()).isZero();
        try (TrolModel internLm2 = TrolModel.load(TinyCheckpoints.of(TinyCheckpointSpec.micro()), Placement.cpuFloat32())) {
            assertThat(ModelFlops.of(internLm2).headPerRow())
                    .isEqualTo(new ModelFlops((TrolConfig) internLm2.config()).headPerRow());
        }
    }
}
