package io.trolserve.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolAssembly;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.TrolModel;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.TinyCheckpointWriter;

/**
 * The parameters of a TroL-1.8B/7B-layout model being trained, held by their checkpoint names
 * ({@link CheckpointLayout}), plus the one traversal gate all layers share (as the official
 * {@code trol_gating} ModuleList repeats one Linear). {@link #model()} puts the service's own model
 * together over them ({@link TrolAssembly}), so training runs the forward that serving runs, and
 * {@link #save} writes them in the published layout. float32 on the CPU.
 */
final class TrainableTrol implements AutoCloseable {

    private final TrolConfig config;
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Tensor gateWeight;   // (1, H)
    private final Tensor gateBias;     // (1)

    /** Seeded initial values: unit-variance projections, residual writers scaled by depth, LoRA B at zero. */
    TrainableTrol(TrolConfig config, long seed) {
        this.config = config;
        Random random = new Random(seed);
        for (CheckpointLayout.Expected e : CheckpointLayout.expected(config, positionRows(config))) {
            parameters.put(e.name(), leaf(initialValues(e.name(), e.shape(), random), e.shape()));
        }
        gateWeight = leaf(new float[config.hiddenSize()], new long[] {1, config.hiddenSize()});
        gateBias = leaf(new float[1], new long[] {1});   // s = 0.5 at the start: both passes count
    }

    TrolConfig config() {
        return config;
    }

    /** Every trained tensor, gate included, for the optimizer. */
    TensorVector all() {
        TensorVector out = new TensorVector();
        parameters.values().forEach(out::push_back);
        out.push_back(gateWeight);
        out.push_back(gateBias);
        return out;
    }

    /** The checkpoint names of the parameters, in the layout's order (the gate is not among them). */
    List<String> names() {
        return List.copyOf(parameters.keySet());
    }

    long parameterCount() {
        return parameters.values().stream().mapToLong(Tensor::numel).sum() + gateWeight.numel() + gateBias.numel();
    }

    /**
     * The service's model over the current parameters. The CLIP q/k/v stacks are concatenated
     * anew (inside autograd), so build one per step, inside the step's scope, and close it after.
     */
    TrolModel model() {
        List<Tensor> stepTensors = new ArrayList<>();
        return TrolAssembly.model(TrolAssembly.assemble(config, Placement.cpuFloat32(), new TrolAssembly.Source() {
            @Override
            public Tensor tensor(String name) {
                return parameter(name);
            }

            @Override
            public Tensor stacked(List<String> names) {
                TensorVector parts = new TensorVector();
                names.forEach(n -> parts.push_back(parameter(n)));
                Tensor cat = torch.cat(parts, 0);
                stepTensors.add(cat);
                return cat;
            }

            @Override
            public Tensor positionTable(int grid) {
                return parameter(CheckpointLayout.POSITION_EMBEDDING);
            }

            @Override
            public Tensor gateWeight(int layer) {
                return gateWeight;
            }

            @Override
            public Tensor gateBias(int layer) {
                return gateBias;
            }
        }, stepTensors));
    }

    /** config.json, model.safetensors (in {@code dtype}) and trol_gating.pt, as published. */
    void save(Path dir, DType dtype, String note) throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        parameters.forEach((name, t) -> values.put(name, floats(t)));
        TinyCheckpointWriter.writeTrained(dir, config, dtype, values, floats(gateWeight), floats(gateBias)[0], note);
    }

    /** A parameter by its checkpoint name. */
    Tensor parameter(String name) {
        Tensor t = parameters.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return t;
    }

    private static long positionRows(TrolConfig config) {
        return config.vision().imageTokens() + 1L;
    }

    private float[] initialValues(String name, long[] shape, Random random) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        if (isScale(name)) {
            Arrays.fill(v, 1f);
            return v;
        }
        if (name.contains("lora_B") || (shape.length == 1 && !name.equals(CheckpointLayout.CLASS_EMBEDDING))) {
            return v;   // biases start at zero; LoRA's B too, so each adapter starts as no change
        }
        double std = std(name, shape);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * random.nextGaussian());
        }
        return v;
    }

    private double std(String name, long[] shape) {
        // token embeddings at unit scale, like the projected image features beside them: at GPT-2's
        // 0.02 the question's words are a few percent of a residual stream that the image rows and
        // the first layer's output fill, and the model learns to read them far more slowly
        if (name.equals(CheckpointLayout.EMBED_TOKENS)) {
            return 1.0;
        }
        // CLIP's positions and class row large enough to tell left from right from the start
        if (name.equals(CheckpointLayout.POSITION_EMBEDDING) || name.equals(CheckpointLayout.CLASS_EMBEDDING)) {
            return 0.5;
        }
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        double std = 1.0 / Math.sqrt(fanIn);
        if (name.endsWith("attention.wo.ffn.weight") || name.endsWith("feed_forward.w2.ffn.weight")) {
            return std / Math.sqrt(2.0 * config.numLayers());
        }
        if (name.endsWith("self_attn.out_proj.weight") || name.endsWith("mlp.fc2.weight")) {
            return std / Math.sqrt(2.0 * config.vision().numLayers());
        }
        return std;
    }

    /** Norm weights start at 1. */
    private static boolean isScale(String name) {
        return name.endsWith("norm.weight") || name.endsWith("norm1.weight") || name.endsWith("norm2.weight")
                || name.endsWith("layrnorm.weight");
    }

    private static Tensor leaf(float[] values, long[] shape) {
        Tensor t = AbstractTensor.create(values, shape);
        t.requires_grad_(true);
        return t;
    }

    /** A tensor's values, copied out, row-major. */
    static float[] floats(Tensor t) {
        try (Tensor flat = t.detach().contiguous().view(-1)) {
            float[] out = new float[Math.toIntExact(flat.numel())];
            flat.data_ptr_float().get(out);
            return out;
        }
    }

    @Override
    public void close() {
        parameters.values().forEach(Tensor::close);
        gateWeight.close();
        gateBias.close();
    }
}
