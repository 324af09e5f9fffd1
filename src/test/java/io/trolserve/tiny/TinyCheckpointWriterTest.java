package io.trolserve.tiny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.VisionConfig;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.torch.Libtorch;

/**
 * The streaming writer behind init-tiny: chunked, multi-threaded output is the same bytes as one
 * piece on one thread; bfloat16 rounding equals libtorch's; shards split by bytes; the trol-1.8b
 * preset has TroL-1.8B's shapes (checked on the configuration and layout, without writing 4.9 GB).
 */
class TinyCheckpointWriterTest {

    @TempDir
    Path tmp;

    @Test
    void threadsAndPiecesDoNotChangeTheFile() throws IOException {
        List<SafetensorsWriter.Declared> tensors = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tensors.add(new SafetensorsWriter.Declared("t" + i, DType.F32, new long[] {3 + i, 5}));
        }
        SafetensorsWriter.TensorBytes whole = (t, out) -> out.put(values(t, (int) t.numel()));
        SafetensorsWriter.TensorBytes pieces = (t, out) -> {
            ByteBuffer all = values(t, (int) t.numel());
            for (int at = 0; at < all.capacity(); at += 12) {
                out.put(all.duplicate().position(at).limit(Math.min(all.capacity(), at + 12)).slice());
            }
        };
        SafetensorsWriter.write(tmp.resolve("a"), tensors, Map.of("format", "pt"), whole, 1);
        SafetensorsWriter.write(tmp.resolve("b"), tensors, Map.of("format", "pt"), pieces, 4);
        assertThat(Files.readAllBytes(tmp.resolve("b"))).isEqualTo(Files.readAllBytes(tmp.resolve("a")));
    }

    @Test
    void aSourceSupplyingTheWrongByteCountFails() {
        List<SafetensorsWriter.Declared> tensors = List.of(new SafetensorsWriter.Declared("t", DType.F32, new long[] {4}));
        assertThatThrownBy(() -> SafetensorsWriter.write(tmp.resolve("short"), tensors, Map.of(),
                (t, out) -> out.put(ByteBuffer.allocate(12)), 2)).hasMessageContaining("declared 16 bytes but 12");
        assertThatThrownBy(() -> SafetensorsWriter.write(tmp.resolve("long"), tensors, Map.of(),
                (t, out) -> out.put(ByteBuffer.allocate(20)), 2)).hasMessageContaining("more were supplied");
    }

    @Test
    void bfloat16RoundsAsLibtorchDoes() {
        Random random = new Random(3);
        float[] values = new float[20_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (i % 4) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> Float.intBitsToFloat(random.nextInt());     // any bit pattern: subnormals, huge, inf
                case 2 -> Float.intBitsToFloat((random.nextInt() & 0xFFFF0000) | 0x8000);   // exact ties
                default -> (float) (1e-3 * random.nextGaussian());
            };
            if (Float.isNaN(values[i])) {
                values[i] = 0f;
            }
        }
        Libtorch.ensureLoaded();
        try (Tensor f = AbstractTensor.create(values);
             Tensor h = f.to(ScalarType.BFloat16)) {
            short[] expected = new short[values.length];
            new ShortPointer(h.data_ptr()).capacity(expected.length).get(expected);
            for (int i = 0; i < values.length; i++) {
                assertThat(TinyCheckpointWriter.bfloat16(values[i])).as("value %s", values[i]).isEqualTo(expected[i]);
            }
        }
        assertThat(TinyCheckpointWriter.bfloat16(Float.NaN)).isEqualTo((short) 0x7FC0);
    }

    @Test
    void shardsSplitByBytesInOrder() {
        List<SafetensorsWriter.Declared> tensors = List.of(
                new SafetensorsWriter.Declared("big", DType.F32, new long[] {100}),
                new SafetensorsWriter.Declared("a", DType.F32, new long[] {30}),
                new SafetensorsWriter.Declared("b", DType.F32, new long[] {30}),
                new SafetensorsWriter.Declared("c", DType.F32, new long[] {40}));
        List<List<SafetensorsWriter.Declared>> shards = TinyCheckpointWriter.shards(tensors, 2);
        assertThat(shards.get(0)).extracting(SafetensorsWriter.Declared::name).containsExactly("big");
        assertThat(shards.get(1)).extracting(SafetensorsWriter.Declared::name).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> TinyCheckpointWriter.shards(tensors, 5)).hasMessageContaining("too many");
    }

    @Test
    void trol18bPresetHasTheRealShapes() {
        TinyCheckpointSpec spec = TinyCheckpointSpec.preset("trol-1.8b");
        TrolConfig c = TinyCheckpointWriter.configOf(spec);
        assertThat(List.of(c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(),
                c.numKvHeads(), c.ploraRank(), c.maxPositions())).containsExactly(92_544, 2048, 8192, 24, 16, 8, 256, 32_768);
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
        VisionConfig v = c.vision();
        assertThat(List.of(v.hiddenSize(), v.intermediateSize(), v.numLayers(), v.numHeads(), v.patchSize(),
                v.imageSize(), v.imageTokens())).containsExactly(1024, 4096, 24, 16, 14, 490, 1225);
        assertThat(spec.positionRows()).isEqualTo(577);
        assertThat(spec.dtype()).isEqualTo(DType.BF16);
        assertThat(spec.shards()).isEqualTo(2);

        long params = CheckpointLayout.expected(c, spec.positionRows()).stream()
                .mapToLong(e -> {
                    long n = 1;
                    for (long d : e.shape()) {
                        n *= d;
                    }
                    return n;
                }).sum();
        // InternLM2-1.8B (1.89 B with both embedding tables) + Plora adapters (0.25 B) + CLIP-L (0.30 B) + projector
        assertThat(params).isBetween(2_440_000_000L, 2_460_000_000L);
    }

    @Test
    void depthScalingIsOffInTheSmallPresets() {
        for (String name : List.of("tiny", "micro", "medium")) {
            assertThat(TinyCheckpointSpec.preset(name).depthScaledResiduals()).as(name).isFalse();
        }
        assertThat(TinyCheckpointSpec.trol18b().depthScaledResiduals()).isTrue();
    }

    private static ByteBuffer values(SafetensorsWriter.Declared t, int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(t.name().hashCode());
        for (int i = 0; i < n; i++) {
            b.putFloat(random.nextFloat());
        }
        return b.flip();
    }
}
