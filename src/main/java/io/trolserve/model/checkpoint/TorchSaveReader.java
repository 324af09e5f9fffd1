package io.trolserve.model.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.trolserve.model.checkpoint.TorchGlobals.StorageRef;
import io.trolserve.model.checkpoint.TorchGlobals.TensorRef;

/**
 * Reads a state dict written by {@code torch.save} (the zip format of torch >= 1.6) without libtorch,
 * whose {@code pickle_load} rejects the OrderedDict that {@code module.state_dict()} returns.
 *
 * <pre>
 * &lt;archive&gt;/data.pkl          the pickled dict; tensors name their storages by key
 * &lt;archive&gt;/data/&lt;key&gt;        one storage's raw bytes, native byte order
 * &lt;archive&gt;/byteorder         "little"; torch 1.13 writes none (native order: little on x86 and ARM)
 * &lt;archive&gt;/version, .format_version, .storage_alignment, .data/serialization_id   not needed here
 * </pre>
 *
 * The archive directory is named after the file's stem when saved, so it is found, not assumed.
 */
public final class TorchSaveReader {

    /** A record is read into one ByteBuffer, which caps it at 2 GiB; gating files are a few KB. */
    private static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 8;

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final Map<String, ByteBuffer> storages = new HashMap<>();

    private TorchSaveReader(Path file, ZipFile zip, String prefix) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
    }

    /** The file's tensors by state-dict key, in the file's order. */
    public static Map<String, RawTensor> read(Path file) {
        checkSignature(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new TorchSaveReader(file, zip, archivePrefix(file, zip)).tensors();
        } catch (IOException | IllegalArgumentException e) { // ZipFile reports bad entry names with IAE
            throw CheckpointException.inFile(file, "corrupt or truncated zip archive: " + reason(e), e);
        }
    }

    private Map<String, RawTensor> tensors() {
        checkByteOrder();
        byte[] pickle = record("data.pkl");
        Object root;
        try {
            root = new PickleMachine(pickle, new TorchGlobals()).run();
        } catch (PickleException e) {
            throw fail("data.pkl: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> dict)) {
            throw fail("data.pkl holds a " + PickleMachine.describe(root) + ", expected a state dict");
        }
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw fail("state dict key of type " + PickleMachine.describe(entry.getKey()) + " is not a string");
            }
            if (!(entry.getValue() instanceof TensorRef ref)) {
                throw fail("entry '" + key + "' is a " + PickleMachine.describe(entry.getValue()) + ", not a tensor");
            }
            tensors.put(key, tensor(key, ref));
        }
        return tensors;
    }

    private RawTensor tensor(String key, TensorRef ref) {
        DType dtype = TorchGlobals.dtypeOf(ref.type()).orElseThrow(() -> fail("tensor '" + key
                + "' has unsupported dtype " + ref.type() + " (supported: float32, float16, bfloat16)"));
        ByteBuffer bytes = storage(key, ref.storage(), dtype);
        try {
            return new RawTensor(dtype, ref.shape(), ref.stride(), ref.storageOffset(), ref.storage().key(), bytes);
        } catch (IllegalArgumentException e) {
            throw fail("tensor '" + key + "': " + e.getMessage());
        }
    }

    /** Each storage record is read once; tensors that share it share its bytes. */
    private ByteBuffer storage(String key, StorageRef ref, DType dtype) {
        // An untyped storage counts bytes, a typed one (FloatStorage...) counts elements.
        boolean untyped = ref.type().equals("UntypedStorage");
        long declared = untyped ? ref.numel() : multiply(ref.numel(), dtype.byteSize(), key);
        long held = entry("data/" + ref.key()).getSize();
        if (held != declared || declared % dtype.byteSize() != 0) { // checked before anything is read
            throw fail("tensor '" + key + "': storage record data/" + ref.key() + " holds " + held
                    + " bytes, but the pickle declares " + declared + " bytes (" + ref.numel() + " x " + ref.type()
                    + ")");
        }
        return storages.computeIfAbsent(ref.key(), k -> ByteBuffer.wrap(record("data/" + k)));
    }

    private long multiply(long numel, int size, String key) {
        try {
            return Math.multiplyExact(numel, size);
        } catch (ArithmeticException e) {
            throw fail("tensor '" + key + "': storage size " + numel + " overflows");
        }
    }

    private void checkByteOrder() {
        if (zip.getEntry(prefix + "byteorder") == null) {
            return;
        }
        String order = new String(record("byteorder"), StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
            throw fail("byteorder is '" + order + "'; only little-endian files are supported");
        }
    }

    /** One record's bytes; the size check uses what is actually there, never a length field alone. */
    private byte[] record(String name) {
        ZipEntry entry = entry(name);
        if (entry.getSize() > MAX_RECORD_BYTES) {
            throw fail("record " + name + " of " + entry.getSize() + " bytes exceeds this reader's 2 GiB limit");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) Math.max(entry.getSize(), 0)); // grows as bytes arrive
            if (data.length != entry.getSize()) {
                throw fail("record " + name + " is truncated: " + data.length + " of " + entry.getSize() + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw CheckpointException.inFile(file, "cannot read record " + name + ": " + reason(e), e);
        }
    }

    private ZipEntry entry(String name) {
        ZipEntry entry = zip.getEntry(prefix + name);
        if (entry == null) {
            throw fail("missing record " + prefix + name);
        }
        return entry;
    }

    /** The single top-level directory holding data.pkl, with its slash: "trol_gating/". */
    private static String archivePrefix(Path file, ZipFile zip) {
        List<String> prefixes = new ArrayList<>();
        zip.stream().map(ZipEntry::getName)
                .filter(name -> name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - 9)
                .forEach(name -> prefixes.add(name.substring(0, name.length() - 8)));
        if (prefixes.size() != 1) {
            throw CheckpointException.inFile(file, prefixes.isEmpty()
                    ? "no <archive>/data.pkl record: not a torch.save file"
                    : "several data.pkl records " + prefixes + ": not a single torch.save file");
        }
        if (zip.getEntry(prefixes.get(0) + "constants.pkl") != null) {
            throw CheckpointException.inFile(file,
                    "a TorchScript archive (torch.jit.save), not a torch.save state dict");
        }
        return prefixes.get(0);
    }

    /** Tells a non-zip and a pre-1.6 torch.save apart before the zip library says "END header not found". */
    private static void checkSignature(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        } catch (IOException e) {
            throw CheckpointException.inFile(file, "cannot read: " + e, e);
        }
        if (Arrays.equals(head, new byte[] {'P', 'K', 3, 4})) {
            return;
        }
        if (head.length == 0) {
            throw CheckpointException.inFile(file, "empty file, not a torch.save checkpoint");
        }
        if ((head[0] & 0xff) == 0x80) {
            throw CheckpointException.inFile(file, "legacy (torch < 1.6) torch.save format, not a zip; "
                    + "re-save it with a current torch");
        }
        throw CheckpointException.inFile(file, "not a zip file, so not a torch.save checkpoint");
    }

    private static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private CheckpointException fail(String problem) {
        return CheckpointException.inFile(file, problem);
    }
}
