package io.trolserve.tiny;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;

import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.TorchSaveReader;

/**
 * Writes a state dict as PyTorch 2.x's {@code torch.save(state_dict, path)} does, so that
 * {@code torch.load} (also with {@code weights_only=True}) and {@link TorchSaveReader} read it back.
 * Several entries may view one storage, which is how the official {@code trol_gating.pt} stores its
 * L identical gates.
 *
 * <p>Records, in torch 2.x's order, under a directory named after the file's stem:
 * {@code data.pkl}, {@code .format_version} ("1"), {@code .storage_alignment} ("64"),
 * {@code byteorder} ("little"), {@code data/0..n-1} (storages keyed by first use, as torch numbers
 * them), {@code version} ("3\n") and {@code .data/serialization_id}.
 */
public final class TorchSaveWriter {

    /** Raw little-endian bytes of one storage; {@code id} is the caller's name for it, not the file's key. */
    public record Storage(String id, DType dtype, byte[] bytes) {
        public Storage {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(dtype, "dtype");
            if (bytes.length % dtype.byteSize() != 0) {
                throw new IllegalArgumentException("storage '" + id + "' holds " + bytes.length
                        + " bytes, not a whole number of " + dtype + " elements");
            }
        }

        long numel() {
            return bytes.length / dtype.byteSize();
        }
    }

    /** One state-dict entry: a view (in elements) into the storage named {@code storageId}. */
    public record Entry(String key, long[] shape, long[] stride, long storageOffset, String storageId) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(storageId, "storageId");
            shape = shape.clone();
            stride = stride.clone();
        }

        /** A row-major view of the whole storage, from element 0. */
        public static Entry contiguous(String key, String storageId, long... shape) {
            long[] stride = new long[shape.length];
            long step = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = step;
                step *= shape[d];
            }
            return new Entry(key, shape, stride, 0, storageId);
        }
    }

    private TorchSaveWriter() {}

    /** Writes {@code entries} in order; every storage must be used by at least one entry. */
    public static void write(Path file, List<Storage> storages, List<Entry> entries) throws IOException {
        Map<String, Storage> byId = new LinkedHashMap<>();
        storages.forEach(s -> {
            if (byId.put(s.id(), s) != null) {
                throw new IllegalArgumentException("two storages have the id '" + s.id() + "'");
            }
        });
        Map<String, String> keyOf = storageKeys(byId, entries);
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("data.pkl", pickle(entries, byId, keyOf));
        records.put(".format_version", ascii("1"));
        records.put(".storage_alignment", ascii(String.valueOf(StoredZipWriter.ALIGNMENT)));
        records.put("byteorder", ascii("little"));
        keyOf.forEach((id, key) -> records.put("data/" + key, byId.get(id).bytes()));
        records.put("version", ascii("3\n"));
        records.put(".data/serialization_id", serializationId(records));

        String prefix = archiveName(file) + "/";
        try (StoredZipWriter zip = new StoredZipWriter(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (Map.Entry<String, byte[]> record : records.entrySet()) {
                zip.add(prefix + record.getKey(), record.getValue());
            }
            zip.finish();
        }
    }

    /** Checks every entry against its storage and numbers storages "0", "1", ... by first use. */
    private static Map<String, String> storageKeys(Map<String, Storage> byId, List<Entry> entries) {
        Map<String, String> keyOf = new LinkedHashMap<>();
        Set<String> tensorKeys = new HashSet<>();
        for (Entry entry : entries) {
            Storage storage = byId.get(entry.storageId());
            if (storage == null) {
                throw new IllegalArgumentException("entry '" + entry.key() + "' uses unknown storage '"
                        + entry.storageId() + "'");
            }
            if (!tensorKeys.add(entry.key())) {
                throw new IllegalArgumentException("duplicate entry '" + entry.key() + "'");
            }
            long needed = RawTensor.requiredStorageElements(entry.shape(), entry.stride(), entry.storageOffset());
            if (needed > storage.numel()) {
                throw new IllegalArgumentException("entry '" + entry.key() + "' needs " + needed
                        + " elements of storage '" + storage.id() + "', which holds " + storage.numel());
            }
            keyOf.putIfAbsent(storage.id(), String.valueOf(keyOf.size()));
        }
        if (keyOf.size() != byId.size()) {
            throw new IllegalArgumentException("storages used by no entry would be lost: "
                    + byId.keySet().stream().filter(id -> !keyOf.containsKey(id)).toList());
        }
        return keyOf;
    }

    /**
     * OrderedDict() then SETITEMS of {@code key -> _rebuild_tensor_v2(storage, offset, size, stride,
     * False, OrderedDict())}, the storage being the persistent id ('storage', torch.FloatStorage, key,
     * 'cpu', numel). torch.load shares one storage among all entries that name the same key.
     */
    public static byte[] pickle(List<Entry> entries, Map<String, Storage> byId, Map<String, String> keyOf) {
        PickleWriter p = new PickleWriter();
        p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        for (Entry entry : entries) {
            Storage storage = byId.get(entry.storageId());
            p.string(entry.key()).global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark().string("storage").global("torch", storage.dtype().torchStorageClass())
                    .string(keyOf.get(storage.id())).string("cpu").integer(storage.numel()).tupleFromMark()
                    .persistentId();
            p.integer(entry.storageOffset()).intTuple(entry.shape()).intTuple(entry.stride()).bool(false);
            p.global("collections", "OrderedDict").emptyTuple().reduce(); // backward hooks: none
            p.tupleFromMark().reduce();
        }
        return p.setItems().stop();
    }

    /**
     * torch 2.x writes 40 digits: a hash of the record names and a combined CRC of their data; readers
     * only compare it. Ours is built the same way from CRC32s, so equal inputs give equal files.
     */
    private static byte[] serializationId(Map<String, byte[]> records) {
        CRC32 names = new CRC32();
        CRC32 data = new CRC32();
        records.forEach((name, bytes) -> {
            names.update(name.getBytes(StandardCharsets.UTF_8));
            data.update(bytes);
        });
        return ascii(String.format("%020d%020d", names.getValue(), data.getValue()));
    }

    /** torch names the archive directory after the file name without its extension. */
    static String archiveName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return stem.isEmpty() ? "archive" : stem;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
