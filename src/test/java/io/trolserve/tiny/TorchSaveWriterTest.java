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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.TorchSaveReader;
import io.trolserve.tiny.TorchSaveWriter.Entry;
import io.trolserve.tiny.TorchSaveWriter.Storage;

/** Java writer to Java reader, and the zip layout torch's own writer produces. */
public class TorchSaveWriterTest {

    @TempDir
    Path dir;

    /** The official trol_gating.pt: L entries per storage, one shared weight and one shared bias. */
    public static void writeGating(Path file, int layers, float[] weight, float bias) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            entries.add(Entry.contiguous(i + ".weight", "weight", 1, weight.length));
            entries.add(Entry.contiguous(i + ".bias", "bias", 1));
        }
        TorchSaveWriter.write(file, List.of(
                new Storage("weight", DType.F32, f32(weight)),
                new Storage("bias", DType.F32, f32(bias))), entries);
    }

    @Test
    void gatingRoundTripKeepsOrderValuesAndSharedStorages() throws IOException {
        Path file = dir.resolve("trol_gating.pt");
        writeGating(file, 3, new float[] {0.5f, -1.25f, 3f, Float.MIN_VALUE}, -0.75f);

        Map<String, RawTensor> read = TorchSaveReader.read(file);

        assertThat(read.keySet()).containsExactly("0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias");
        for (int i = 0; i < 3; i++) {
            RawTensor weight = read.get(i + ".weight");
            assertThat(weight.dtype()).isEqualTo(DType.F32);
            assertThat(weight.shape()).containsExactly(1, 4);
            assertThat(weight.stride()).containsExactly(4, 1);
            assertThat(weight.storageKey()).isEqualTo("0");
            assertThat(weight.toFloatArray()).containsExactly(0.5f, -1.25f, 3f, Float.MIN_VALUE);
            assertThat(read.get(i + ".bias").storageKey()).isEqualTo("1");
            assertThat(read.get(i + ".bias").toFloatArray()).containsExactly(-0.75f);
        }
    }

    @Test
    void halfPrecisionAndStridedViewsRoundTrip() throws IOException {
        Path file = dir.resolve("mixed.pt");
        short[] halves = {0x3c00, (short) 0xc000, 0x0001, 0x7bff, (short) 0x8000, 0x7c00}; // 1 -2 2^-24 65504 -0 inf
        short[] bf16 = {0x3f80, (short) 0xbfc0, 0x0001}; // 1 -1.5 (smallest subnormal)
        TorchSaveWriter.write(file, List.of(
                        new Storage("h", DType.F16, shorts(halves)),
                        new Storage("b", DType.BF16, shorts(bf16)),
                        new Storage("grid", DType.F32, f32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))),
                List.of(Entry.contiguous("half", "h", 2, 3),
                        Entry.contiguous("bf16", "b", 3),
                        new Entry("columns", new long[] {2, 2}, new long[] {1, 4}, 5, "grid"), // offset, transposed
                        new Entry("scalar", new long[0], new long[0], 11, "grid")));

        Map<String, RawTensor> read = TorchSaveReader.read(file);

        assertThat(read.get("half").toFloatArray()).containsExactly(1f, -2f, 0x1p-24f, 65504f, -0f,
                Float.POSITIVE_INFINITY);
        assertThat(read.get("bf16").toFloatArray()).containsExactly(1f, -1.5f, Float.intBitsToFloat(0x10000));
        assertThat(read.get("columns").toFloatArray()).containsExactly(5f, 9f, 6f, 10f);
        assertThat(read.get("columns").contiguousBytes()).isEqualTo(f32(5, 9, 6, 10));
        assertThat(read.get("scalar").toFloatArray()).containsExactly(11f);
        assertThat(read.get("scalar").storageKey()).isEqualTo(read.get("columns").storageKey());
    }

    @Test
    void recordsAreStoredUnderTheFileStemAndAlignedTo64BytesLikeTorch() throws IOException {
        Path file = dir.resolve("trol_gating.pt");
        writeGating(file, 2, new float[] {1, 2, 3}, 4);

        List<LocalRecord> records = LocalRecord.scan(Files.readAllBytes(file));

        assertThat(records).extracting(LocalRecord::name).containsExactly(
                "trol_gating/data.pkl", "trol_gating/.format_version", "trol_gating/.storage_alignment",
                "trol_gating/byteorder", "trol_gating/data/0", "trol_gating/data/1", "trol_gating/version",
                "trol_gating/.data/serialization_id");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.method()).as(r.name()).isZero(); // STORED
            assertThat(r.dataOffset() % 64).as(r.name()).isZero();
        });
    }

    @Test
    void equalInputsGiveEqualBytes() throws IOException {
        Path a = dir.resolve("a/trol_gating.pt");
        Path b = dir.resolve("b/trol_gating.pt");
        Files.createDirectories(a.getParent());
        Files.createDirectories(b.getParent());
        writeGating(a, 4, new float[] {1, 2}, 3);
        writeGating(b, 4, new float[] {1, 2}, 3);

        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void refusesInconsistentEntries() {
        Storage four = new Storage("s", DType.F32, new byte[16]);
        Path file = dir.resolve("bad.pt");

        assertThatThrownBy(() -> TorchSaveWriter.write(file, List.of(four), List.of(Entry.contiguous("x", "s", 5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 5 elements");
        assertThatThrownBy(() -> TorchSaveWriter.write(file, List.of(four), List.of(Entry.contiguous("x", "t", 4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown storage 't'");
        assertThatThrownBy(() -> TorchSaveWriter.write(file, List.of(four, new Storage("u", DType.F16, new byte[2])),
                List.of(Entry.contiguous("x", "s", 4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[u]");
        assertThatThrownBy(() -> new Storage("odd", DType.F16, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A local file header as found by walking the zip from its start. */
    record LocalRecord(String name, int method, long dataOffset) {
        static List<LocalRecord> scan(byte[] zip) {
            ByteBuffer in = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
            List<LocalRecord> out = new ArrayList<>();
            int at = 0;
            while (in.getInt(at) == 0x04034b50) {
                int nameLength = in.getShort(at + 26) & 0xffff;
                int extraLength = in.getShort(at + 28) & 0xffff;
                int size = in.getInt(at + 22);
                int data = at + 30 + nameLength + extraLength;
                out.add(new LocalRecord(new String(zip, at + 30, nameLength), in.getShort(at + 8), data));
                at = data + size;
            }
            return out;
        }
    }

    static byte[] f32(float... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }

    public static byte[] shorts(short... values) {
        ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            out.putShort(v);
        }
        return out.array();
    }
}
