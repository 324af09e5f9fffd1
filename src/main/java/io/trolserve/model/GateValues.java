package io.trolserve.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.SafetensorsFile;
import io.trolserve.model.checkpoint.TorchSaveReader;

/**
 * The traversal gates (TROL_SPEC §1, §5): {@code trol_gating.pt}, a torch.save of the gating
 * ModuleList's state dict with {@code "{i}.weight"} (1, H) and {@code "{i}.bias"} (1), or a
 * {@code trol_gating.safetensors} with the same keys. The official file stores one shared Linear L
 * times; we still read every layer's entry, so a checkpoint with distinct gates also loads.
 */
final class GateValues {


    private final float[][] weights;
    private final float[] biases;

    private GateValues(float[][] weights, float[] biases) {
        this.weights = weights;
        this.biases = biases;
    }

    static GateValues read(Path dir, TrolConfig config) {
        return read(dir, config.numLayers(), config.hiddenSize());
    }

    /** The gates of {@code layers} layers over hidden size {@code hidden}, whichever variant. */
    static GateValues read(Path dir, int layers, int hidden) {
        Path pt = dir.resolve(CheckpointLayout.GATES_TORCH_FILE);
        Path st = dir.resolve(CheckpointLayout.GATES_SAFETENSORS_FILE);
        Map<String, float[]> values;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Path source;
        if (Files.exists(pt)) {
            source = pt;
            values = new LinkedHashMap<>();
            for (Map.Entry<String, RawTensor> e : TorchSaveReader.read(pt).entrySet()) {
                shapes.put(e.getKey(), e.getValue().shape());
                values.put(e.getKey(), e.getValue().toFloatArray());
            }
        } else if (Files.exists(st)) {
            source = st;
            values = readSafetensors(st, shapes);
        } else {
            throw CheckpointException.inFile(dir, "the traversal gates are missing: neither " + CheckpointLayout.GATES_TORCH_FILE
                    + " nor " + CheckpointLayout.GATES_SAFETENSORS_FILE + " exists");
        }
        return fromEntries(source, layers, hidden, shapes, values);
    }

    private static Map<String, float[]> readSafetensors(Path file, Map<String, long[]> shapes) {
        Map<String, float[]> values = new LinkedHashMap<>();
        try (MappedWeights mapped = MappedWeights.openFiles(List.of(SafetensorsFile.open(file)))) {
            for (String name : mapped.tensors().keySet()) {
                try (Tensor view = mapped.view(name);
                     Tensor f = view.to(ScalarType.Float).contiguous()) {
                    float[] out = new float[(int) f.numel()];
                    f.data_ptr_float().get(out);
                    values.put(name, out);
                    shapes.put(name, mapped.tensors().get(name).entry().shape());
                }
            }
        }
        return values;
    }

    private static GateValues fromEntries(Path source, int layers, int hidden, Map<String, long[]> shapes,
                                          Map<String, float[]> values) {
        List<String> problems = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        float[][] weights = new float[layers][];
        float[] biases = new float[layers];
        for (int i = 0; i < layers; i++) {
            String w = CheckpointLayout.gateWeight(i);
            String b = CheckpointLayout.gateBias(i);
            expected.add(w);
            expected.add(b);
            if (check(problems, shapes, w, new long[] {1, hidden})) {
                weights[i] = values.get(w);
            }
            if (check(problems, shapes, b, new long[] {1})) {
                biases[i] = values.get(b)[0];
            }
        }
        for (String name : shapes.keySet()) {
            if (!expected.contains(name)) {
                problems.add("unexpected tensor " + name + " " + Arrays.toString(shapes.get(name)));
            }
        }
        if (!problems.isEmpty()) {
            throw CheckpointException.inFile(source, "gates do not match config.json (" + layers
                    + " layers, hidden " + hidden + "):\n  - " + String.join("\n  - ", problems));
        }
        return new GateValues(weights, biases);
    }

    private static boolean check(List<String> problems, Map<String, long[]> shapes, String name, long[] shape) {
        long[] found = shapes.get(name);
        if (found == null) {
            problems.add("missing tensor " + name + " " + Arrays.toString(shape));
            return false;
        }
        if (!Arrays.equals(found, shape)) {
            problems.add("tensor " + name + " has shape " + Arrays.toString(found) + ", expected " + Arrays.toString(shape));
            return false;
        }
        return true;
    }

    /** (1, H) on the placement's device and dtype; the caller owns it. */
    Tensor weight(int layer, Placement placement) {
        return placed(AbstractTensor.create(weights[layer], 1, weights[layer].length), placement);
    }

    /** (1). */
    Tensor bias(int layer, Placement placement) {
        return placed(AbstractTensor.create(new float[] {biases[layer]}, 1), placement);
    }

    private static Tensor placed(Tensor cpuFloat, Placement placement) {
        // clone: when .to() is a no-op it aliases the buffer create() allocated, which closes here
        try (cpuFloat; Device device = placement.device();
             Tensor moved = cpuFloat.to(device, placement.scalarType())) {
            return moved.clone();
        }
    }
}
