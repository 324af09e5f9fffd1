package io.trolserve.model.checkpoint;

import static io.trolserve.model.checkpoint.TorchSaveFixturesTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.tiny.PickleWriter;
import io.trolserve.tiny.TorchSaveWriter;
import io.trolserve.tiny.TorchSaveWriter.Entry;
import io.trolserve.tiny.TorchSaveWriter.Storage;
import io.trolserve.tiny.TorchSaveWriterTest;

/**
 * Forms of torch.save output that the PyTorch 1.13 fixtures lack, and broken inputs, each of which must
 * end in a CheckpointException that names the file and the problem.
 */
class TorchSaveReaderTest {

    @TempDir
    Path dir;

    /**
     * torch 2.x pickles dtypes without a legacy storage class (float8, uint16, ...) as
     * {@code _rebuild_tensor_v3(untyped storage, ..., dtype)}, the storage's numel counting bytes.
     */
    @Test
    void readsTheRebuildTensorV3Form() throws IOException {
        byte[] bytes = TorchSaveWriterTest.shorts((short) 0x3f80, (short) 0xbfc0, (short) 0x4000); // bf16 1 -1.5 2
        Path file = zip("v3.pt", Map.of("a/data.pkl", v3Pickle("bfloat16"), "a/data/0", bytes));

        RawTensor tensor = TorchSaveReader.read(file).get("w");

        assertThat(tensor.dtype()).isEqualTo(DType.BF16);
        assertThat(tensor.toFloatArray()).containsExactly(-1.5f, 2f); // offset 1, in elements
        assertFails(zip("f8.pt", Map.of("a/data.pkl", v3Pickle("float8_e4m3fn"), "a/data/0", bytes)))
                .hasMessageContaining("tensor 'w' has unsupported dtype float8_e4m3fn");
    }

    private static byte[] v3Pickle(String dtype) {
        PickleWriter p = new PickleWriter().global("collections", "OrderedDict").emptyTuple().reduce().mark();
        p.string("w").global("torch._utils", "_rebuild_tensor_v3").mark();
        p.mark().string("storage").global("torch.storage", "UntypedStorage").string("0").string("cpu")
                .integer(6).tupleFromMark().persistentId(); // an untyped storage of 6 bytes
        p.integer(1).intTuple(new long[] {2}).intTuple(new long[] {1}).bool(false);
        p.global("collections", "OrderedDict").emptyTuple().reduce().global("torch", dtype);
        return p.tupleFromMark().reduce().setItems().stop();
    }

    @Test
    void notAZip() throws IOException {
        assertFails(write("text.pt", "hello".getBytes(StandardCharsets.US_ASCII))).hasMessageContaining("not a zip");
        assertFails(write("empty.pt", new byte[0])).hasMessageContaining("empty file");
        assertFails(write("legacy.pt", new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10})).hasMessageContaining("legacy");
    }

    @Test
    void truncatedZip() throws IOException {
        byte[] whole = Files.readAllBytes(fixture("trol_gating.pt"));
        for (int length : new int[] {4, 100, whole.length / 2, whole.length - 1}) {
            assertFails(write("cut" + length + ".pt", Arrays.copyOf(whole, length)))
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void missingRecords() throws IOException {
        Map<String, byte[]> records = records(fixture("trol_gating.pt"));
        records.remove("trol_gating/data.pkl");
        assertFails(zip("no_pickle.pt", records)).hasMessageContaining("data.pkl");

        records = records(fixture("trol_gating.pt"));
        records.remove("trol_gating/data/1");
        assertFails(zip("no_storage.pt", records)).hasMessageContaining("missing record trol_gating/data/1");
    }

    @Test
    void storageRecordSmallerThanDeclared() throws IOException {
        Map<String, byte[]> records = records(fixture("trol_gating.pt"));
        records.put("trol_gating/data/0", new byte[12]);

        assertFails(zip("short.pt", records))
                .hasMessageContaining("tensor '0.weight'").hasMessageContaining("data/0 holds 12 bytes");
    }

    /** A central directory that claims a 2 GiB record must not make the reader allocate 2 GiB. */
    @Test
    void lyingRecordSizeIsCheckedBeforeReading() throws IOException {
        Path file = dir.resolve("trol_gating.pt");
        TorchSaveWriterTest.writeGating(file, 2, new float[] {1, 2}, 3);
        byte[] zip = Files.readAllBytes(file);
        ByteBuffer le = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        String text = new String(zip, StandardCharsets.ISO_8859_1);
        for (int at = text.indexOf("PK\1\2"); at >= 0; at = text.indexOf("PK\1\2", at + 4)) { // central entries
            int nameLength = le.getShort(at + 28);
            if (text.startsWith("trol_gating/data/0", at + 46) && nameLength == 18) {
                le.putInt(at + 20, 0x7ffffff0).putInt(at + 24, 0x7ffffff0); // compressed and real size
            }
        }

        assertFails(write("lying.pt", zip)).hasMessageContaining("data/0 holds 2147483632 bytes");
    }

    @Test
    void viewReachingPastItsStorage() throws IOException {
        // Bypasses the writer's own check to produce the pickle a broken writer would.
        Storage four = new Storage("s", DType.F32, new byte[16]);
        byte[] pickle = TorchSaveWriter.pickle(List.of(new Entry("w", new long[] {2, 2}, new long[] {2, 1}, 1, "s")),
                Map.of("s", four), Map.of("s", "0"));

        assertFails(zip("past_end.pt", Map.of("a/data.pkl", pickle, "a/data/0", new byte[16])))
                .hasMessageContaining("tensor 'w'").hasMessageContaining("needs 5 elements");
    }

    @Test
    void forbiddenGlobalIsRefusedByName() throws IOException {
        assertFails(withPickle("evil.pt", "collections\nOrderedDict\n", "os\nsystem\n"))
                .hasMessageContaining("'os.system'").hasMessageContaining("not allowed");
        byte[] evil = new PickleWriter().global("builtins", "eval").mark().string("1").tupleFromMark().reduce().stop();
        assertFails(zip("eval.pt", Map.of("a/data.pkl", evil))).hasMessageContaining("'builtins.eval'");
    }

    @Test
    void unsupportedDtypeNamesTheTensor() throws IOException {
        assertFails(withPickle("long.pt", "torch\nFloatStorage\n", "torch\nLongStorage\n"))
                .hasMessageContaining("tensor '0.weight'").hasMessageContaining("unsupported dtype LongStorage");
    }

    @Test
    void unsupportedOpcode() throws IOException {
        byte[] pickle = {(byte) 0x80, 2, 'I', '1', '\n', '.'}; // INT, a protocol 0 text opcode
        assertFails(zip("opcode.pt", Map.of("a/data.pkl", pickle))).hasMessageContaining("opcode 0x49 at byte 2");
    }

    @Test
    void bigEndianFilesAreRefused() throws IOException {
        Map<String, byte[]> records = records(fixture("trol_gating.pt"));
        records.put("trol_gating/byteorder", "big".getBytes(StandardCharsets.US_ASCII));

        assertFails(zip("big.pt", records)).hasMessageContaining("byteorder is 'big'");
    }

    /** Random damage to data.pkl: every outcome is a result or a CheckpointException, never another error. */
    @Test
    void damagedPicklesFailCleanly() throws IOException {
        Map<String, byte[]> records = records(fixture("views.pt"));
        byte[] pickle = records.get("views/data.pkl");
        Random random = new Random(42);
        for (int round = 0; round < 400; round++) {
            byte[] damaged = random.nextBoolean()
                    ? Arrays.copyOf(pickle, random.nextInt(pickle.length))
                    : pickle.clone();
            for (int flips = random.nextInt(4); flips >= 0 && damaged.length > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            records.put("views/data.pkl", damaged);
            Path file = zip("fuzz.pt", records);
            try {
                TorchSaveReader.read(file);
            } catch (CheckpointException expected) {
                assertThat(expected).hasMessageStartingWith(file.toString());
            }
        }
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path file) {
        return assertThatThrownBy(() -> TorchSaveReader.read(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file.toString());
    }

    /** A fixture's records with one text substitution in its data.pkl (GLOBAL names are newline-ended text). */
    private Path withPickle(String name, String from, String to) throws IOException {
        Map<String, byte[]> records = records(fixture("trol_gating.pt"));
        String pickle = new String(records.get("trol_gating/data.pkl"), StandardCharsets.ISO_8859_1);
        assertThat(pickle).contains(from);
        records.put("trol_gating/data.pkl", pickle.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
        return zip(name, records);
    }

    private static Map<String, byte[]> records(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                out.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
            }
        }
        return out;
    }

    private Path zip(String name, Map<String, byte[]> records) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(raw)) {
            for (Map.Entry<String, byte[]> record : records.entrySet()) {
                zip.putNextEntry(new ZipEntry(record.getKey()));
                zip.write(record.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
