package io.trolserve.model.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.torch.Libtorch;

/**
 * The tensors of one or more safetensors files, memory-mapped by libtorch itself
 * ({@code from_file}), so that weights never pass through the Java heap and a file may exceed
 * 2 GiB. A tensor handed out is a zero-copy view of the mapping; the mapping lives as long as any
 * view of it (storage is reference counted), so closing this object only drops its own handles.
 */
public final class MappedWeights implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String SHARD_INDEX = "model.safetensors.index.json";

    /** Where a tensor lives: its header entry and the file it came from. */
    public record Located(SafetensorsFile file, SafetensorsFile.Entry entry) {
    }

    private final Map<String, Located> tensors;
    private final Map<Path, Tensor> mappedFiles = new LinkedHashMap<>();
    private boolean closed;

    private MappedWeights(Map<String, Located> tensors) {
        this.tensors = tensors;
    }

    /** Opens {@code model.safetensors}, or the shards listed by {@code model.safetensors.index.json}. */
    public static MappedWeights openCheckpoint(Path dir) {
        Path index = dir.resolve(SHARD_INDEX);
        if (Files.exists(index)) {
            return openSharded(dir, index);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.exists(single)) {
            throw CheckpointException.inFile(dir, "no weights: neither " + SINGLE_FILE + " nor " + SHARD_INDEX + " exists");
        }
        return openFiles(List.of(SafetensorsFile.open(single)));
    }

    public static MappedWeights openFiles(List<SafetensorsFile> files) {
        Map<String, Located> tensors = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (SafetensorsFile.Entry e : f.entries().values()) {
                Located previous = tensors.put(e.name(), new Located(f, e));
                if (previous != null) {
                    throw CheckpointException.inFile(f.path(), "tensor '" + e.name() + "' is also stored in "
                            + previous.file().path().getFileName());
                }
            }
        }
        return new MappedWeights(tensors);
    }

    private static MappedWeights openSharded(Path dir, Path index) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (String shard : new TreeSet<>(weightMap.values())) {
            Path shardPath = dir.resolve(shard).normalize();
            if (!shardPath.startsWith(dir.normalize())) {
                throw CheckpointException.inFile(index, "shard name '" + shard + "' points outside the checkpoint");
            }
            shards.put(shard, SafetensorsFile.open(shardPath));
        }
        for (Map.Entry<String, String> w : weightMap.entrySet()) {
            if (!shards.get(w.getValue()).entries().containsKey(w.getKey())) {
                throw CheckpointException.inFile(index, "lists tensor '" + w.getKey() + "' in " + w.getValue()
                        + ", which does not contain it");
            }
        }
        return openFiles(new ArrayList<>(shards.values()));
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root = JsonFiles.readObject(index);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw CheckpointException.inFile(index, "has no 'weight_map' object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw CheckpointException.inFile(index, "weight_map entry '" + e.getKey() + "' is not a file name");
            }
            result.put(e.getKey(), e.getValue().textValue());
        }
        return result;
    }

    public Map<String, Located> tensors() {
        return tensors;
    }

    /**
     * A zero-copy view of a stored tensor in its stored dtype. Call outside any PointerScope (or
     * attach the result to one deliberately): the view is meant to live as long as the model.
     */
    public Tensor view(String name) {
        Located loc = tensors.get(name);
        if (loc == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        SafetensorsFile.Entry e = loc.entry();
        DType dtype = e.dtype(loc.file().path());
        if (e.fileOffset() % dtype.byteSize() != 0) {
            throw CheckpointException.inFile(loc.file().path(), "tensor '" + name + "' starts at byte "
                    + e.fileOffset() + ", not aligned to its " + dtype.byteSize() + "-byte elements");
        }
        Tensor bytes = mapped(loc.file());
        try (Tensor slice = bytes.narrow(0, e.fileOffset(), e.byteLength());
             Tensor typed = slice.view(scalarType(dtype))) {
            return typed.view(e.shape());
        }
    }

    private Tensor mapped(SafetensorsFile file) {
        if (closed) {
            throw new IllegalStateException("weights are closed");
        }
        return mappedFiles.computeIfAbsent(file.path(), p -> {
            Libtorch.ensureLoaded();
            try (TensorOptions bytes = new TensorOptions(ScalarType.Byte);
                 BoolOptional privateMapping = new BoolOptional(false);
                 LongOptional size = new LongOptional(file.fileLength())) {
                return torch.from_file(p.toString(), privateMapping, size, bytes);
            }
        });
    }

    public static ScalarType scalarType(DType dtype) {
        return switch (dtype) {
            case F32 -> ScalarType.Float;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            mappedFiles.values().forEach(Tensor::close);
            mappedFiles.clear();
        }
    }
}
