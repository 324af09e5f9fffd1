package io.trolserve.tiny;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.model.ConfigKeys;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.VisionConfig;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.torch.Libtorch;

/**
 * Writes config.json, the safetensors weights and {@code trol_gating.pt} of a TroL checkpoint with
 * seeded random weights, in exactly the published layout ({@link CheckpointLayout}), so that the
 * real loading code is what tests and demos exercise. The tokenizer is written by the text package.
 *
 * <p>Values are scaled like a trained network's (unit-variance activations, norms near 1) rather
 * than like an initialisation, so that attention is peaked and logits are far apart: a masking or
 * layout bug then changes tokens instead of hiding in rounding noise.
 */
public final class TinyCheckpointWriter {

    /** Values generated per step of one tensor: 4 MiB of floats. */
    private static final int CHUNK_VALUES = 1 << 20;

    /** Tensors produced at once; the file's bytes do not depend on it. */
    private static final int THREADS = Math.min(8, Runtime.getRuntime().availableProcessors());

    private final TinyCheckpointSpec spec;
    private final TrolConfig config;

    private TinyCheckpointWriter(TinyCheckpointSpec spec) {
        this.spec = spec;
        this.config = configOf(spec);
    }

    public static TrolConfig write(Path dir, TinyCheckpointSpec spec) throws IOException {
        Files.createDirectories(dir);
        TinyCheckpointWriter w = new TinyCheckpointWriter(spec);
        w.writeConfig(dir.resolve(ConfigKeys.FILE));
        w.writeWeights(dir);
        TinyGates.write(dir.resolve(CheckpointLayout.GATES_TORCH_FILE), spec);
        return w.config;
    }

    public static TrolConfig configOf(TinyCheckpointSpec s) {
        VisionConfig vision = new VisionConfig(s.visionHidden(), s.visionIntermediate(), s.visionLayers(),
                s.visionHeads(), s.patchSize(), s.imageSize(), 1e-5, "quick_gelu");
        return new TrolConfig(s.vocabSize(), s.hiddenSize(), s.intermediateSize(), s.numLayers(), s.numHeads(),
                s.numKvHeads(), 1e-5, s.ropeTheta(), 0, s.maxPositions(), s.bias(), 1, 2, s.ploraRank(), vision);
    }

    private void writeConfig(Path file) throws IOException {
        writeConfig(file, config, spec.dtype(), "random weights written by trol-serve init-tiny (seed " + spec.seed()
                + "): answers are meaningless");
    }

    /**
     * Writes a checkpoint whose values are given (a trained model's): config.json with {@code note}
     * as its {@code trol_note}, the weights in {@code dtype} as {@code model.safetensors}, and
     * {@code trol_gating.pt} with one shared gate, as the official file holds it.
     *
     * @param tensors every tensor {@link CheckpointLayout#expected} names for the config (grid-sized
     *                position table), row-major float32 values
     */
    public static void writeTrained(Path dir, TrolConfig config, DType dtype, Map<String, float[]> tensors,
                                    float[] gateWeight, float gateBias, String note) throws IOException {
        Files.createDirectories(dir);
        writeConfig(dir.resolve(ConfigKeys.FILE), config, dtype, note);
        List<SafetensorsWriter.Declared> all = new ArrayList<>();
        for (CheckpointLayout.Expected e : CheckpointLayout.expected(config, config.vision().imageTokens() + 1L)) {
            float[] values = tensors.get(e.name());
            if (values == null || values.length != new SafetensorsWriter.Declared(e.name(), dtype, e.shape()).numel()) {
                throw new IllegalArgumentException("tensor " + e.name() + " " + Arrays.toString(e.shape())
                        + (values == null ? " is missing" : " has " + values.length + " values"));
            }
            all.add(new SafetensorsWriter.Declared(e.name(), dtype, e.shape()));
        }
        writeSafetensors(dir, all, 1, (t, out) -> out.put(encode(tensors.get(t.name()), t.dtype())));
        TinyGates.writeShared(dir.resolve(CheckpointLayout.GATES_TORCH_FILE), gateWeight, gateBias, config.numLayers(),
                DType.F32);
    }

    private static void writeConfig(Path file, TrolConfig config, DType dtype, String note) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.putArray(ConfigKeys.ARCHITECTURES).add("TroLForCausalLM");
        root.put(ConfigKeys.MODEL_TYPE, "internlm2");
        root.put(ConfigKeys.VOCAB_SIZE, config.vocabSize());
        root.put(ConfigKeys.HIDDEN_SIZE, config.hiddenSize());
        root.put(ConfigKeys.INTERMEDIATE_SIZE, config.intermediateSize());
        root.put(ConfigKeys.NUM_HIDDEN_LAYERS, config.numLayers());
        root.put(ConfigKeys.NUM_ATTENTION_HEADS, config.numHeads());
        root.put(ConfigKeys.NUM_KEY_VALUE_HEADS, config.numKvHeads());
        root.put(ConfigKeys.HIDDEN_ACT, "silu");
        root.put(ConfigKeys.RMS_NORM_EPS, config.rmsNormEps());
        root.put(ConfigKeys.ROPE_THETA, config.ropeTheta());
        root.putNull(ConfigKeys.ROPE_SCALING);
        root.put(ConfigKeys.MAX_POSITION_EMBEDDINGS, config.maxPositions());
        root.put(ConfigKeys.BIAS, config.bias());
        root.put(ConfigKeys.BOS_TOKEN_ID, config.bosTokenId());
        root.put(ConfigKeys.EOS_TOKEN_ID, config.eosTokenId());
        root.put(ConfigKeys.PAD_TOKEN_ID, config.eosTokenId());
        root.put(ConfigKeys.TIE_WORD_EMBEDDINGS, false);
        root.put(ConfigKeys.TORCH_DTYPE, switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        });
        root.put(ConfigKeys.PLORA_RANK, config.ploraRank());
        root.put("trol_note", note);
        ObjectNode v = root.putObject(ConfigKeys.VISION_CONFIG);
        VisionConfig vc = config.vision();
        v.put(ConfigKeys.HIDDEN_SIZE, vc.hiddenSize());
        v.put(ConfigKeys.INTERMEDIATE_SIZE, vc.intermediateSize());
        v.put(ConfigKeys.NUM_HIDDEN_LAYERS, vc.numLayers());
        v.put(ConfigKeys.NUM_ATTENTION_HEADS, vc.numHeads());
        v.put(ConfigKeys.PATCH_SIZE, vc.patchSize());
        v.put(ConfigKeys.IMAGE_SIZE, vc.imageSize());
        v.put(ConfigKeys.LAYER_NORM_EPS, vc.layerNormEps());
        v.put(ConfigKeys.HIDDEN_ACT, vc.hiddenAct());
        json.writeValue(file.toFile(), root);
    }

    private void writeWeights(Path dir) throws IOException {
        List<SafetensorsWriter.Declared> all = new ArrayList<>();
        for (CheckpointLayout.Expected e : CheckpointLayout.expected(config, spec.positionRows())) {
            all.add(new SafetensorsWriter.Declared(e.name(), spec.dtype(), e.shape()));
        }
        writeSafetensors(dir, all, spec.shards(), this::randomTensor);
    }

    /**
     * The tensors as {@code model.safetensors}, or for {@code shards} &gt; 1 as
     * {@code model-0000k-of-0000n.safetensors} files plus {@code model.safetensors.index.json}, as
     * Hugging Face's {@code save_pretrained} lays them out. Shared by both variants' writers.
     */
    static void writeSafetensors(Path dir, List<SafetensorsWriter.Declared> all, int shardCount,
                                 SafetensorsWriter.TensorBytes source) throws IOException {
        Map<String, String> metadata = Map.of("format", "pt");
        if (shardCount <= 1) {
            SafetensorsWriter.write(dir.resolve(MappedWeights.SINGLE_FILE), all, metadata, source, THREADS);
            return;
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        long totalBytes = 0;
        List<List<SafetensorsWriter.Declared>> shards = shards(all, shardCount);
        for (int k = 0; k < shards.size(); k++) {
            String name = String.format("model-%05d-of-%05d.safetensors", k + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(name), shards.get(k), metadata, source, THREADS);
            for (SafetensorsWriter.Declared t : shards.get(k)) {
                weightMap.put(t.name(), name);
                totalBytes += t.byteLength();
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", totalBytes);
        index.set("weight_map", json.valueToTree(weightMap));
        json.writeValue(dir.resolve(MappedWeights.SHARD_INDEX).toFile(), index);
    }

    /**
     * Splits the tensors, in order, into n shards of about equal bytes (as Hugging Face's
     * {@code max_shard_size} does): a tensor goes to the shard its middle byte falls in.
     */
    static List<List<SafetensorsWriter.Declared>> shards(List<SafetensorsWriter.Declared> all, int n) {
        long total = all.stream().mapToLong(SafetensorsWriter.Declared::byteLength).sum();
        List<List<SafetensorsWriter.Declared>> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(new ArrayList<>());
        }
        long start = 0;
        for (SafetensorsWriter.Declared t : all) {
            long middle = start + t.byteLength() / 2;
            int k = (int) Math.min(n - 1, (double) middle * n / total);
            out.get(k).add(t);
            start += t.byteLength();
        }
        for (int k = 0; k < n; k++) {
            if (out.get(k).isEmpty()) {
                throw new IllegalArgumentException(n + " shards are too many for this checkpoint: shard " + (k + 1)
                        + " would be empty");
            }
        }
        return out;
    }

    /**
     * Seeded Gaussian values of one tensor, produced and written a chunk at a time, so that the
     * heap holds a few MiB per writing thread however large the tensor (TroL-1.8B's embedding
     * table is 190 M values). The values are the same sequence whatever the chunking: one
     * generator per tensor, seeded from its name.
     */
    private void randomTensor(SafetensorsWriter.Declared t, SafetensorsWriter.ByteSink out) throws IOException {
        double std = std(t.name(), t.shape()) * residualScale(t.name());
        double mean = isScale(t.name()) ? 1.0 : 0.0;
        gaussian(t, out, spec.seed(), mean, std);
    }

    /**
     * mean + std x N(0, 1) for every element of {@code t}, from one generator seeded by the
     * checkpoint seed and the tensor's name, streamed a chunk at a time in the tensor's dtype.
     */
    static void gaussian(SafetensorsWriter.Declared t, SafetensorsWriter.ByteSink out, long seed, double mean,
                         double std) throws IOException {
        long numel = t.numel();
        float[] values = new float[(int) Math.min(numel, CHUNK_VALUES)];
        Random random = new Random(seed * 1_000_003L + t.name().hashCode());
        for (long done = 0; done < numel; ) {
            int n = (int) Math.min(values.length, numel - done);
            for (int i = 0; i < n; i++) {
                values[i] = (float) (mean + std * random.nextGaussian());
            }
            out.put(encode(values, n, t.dtype()));
            done += n;
        }
    }

    /** Norm weights sit near 1; everything else is centred on 0. */
    private static boolean isScale(String name) {
        return name.endsWith("norm.weight") || name.endsWith("norm1.weight") || name.endsWith("norm2.weight")
                || name.endsWith("layrnorm.weight");
    }

    /**
     * With {@code depthScaledResiduals}, the projections that write into a residual stream (wo and
     * w2 in the language model, out_proj and fc2 in CLIP) are scaled by 1/sqrt(2 x layers), as
     * GPT-2 initialises them. Without it, at 24 layers, each layer's near-uniform attention adds
     * the same context average to every token until it outweighs the token itself: CLIP's 1225
     * patch features come out nearly equal, and every decoded token is the same one.
     */
    private double residualScale(String name) {
        if (!spec.depthScaledResiduals()) {
            return 1.0;
        }
        if (name.endsWith("attention.wo.ffn.weight") || name.endsWith("feed_forward.w2.ffn.weight")) {
            return 1.0 / Math.sqrt(2.0 * spec.numLayers());
        }
        if (name.endsWith("self_attn.out_proj.weight") || name.endsWith("mlp.fc2.weight")) {
            return 1.0 / Math.sqrt(2.0 * spec.visionLayers());
        }
        return 1.0;
    }

    /** Unit-variance outputs for matrices (1/sqrt(fan-in)); small spreads for vectors. */
    private static double std(String name, long[] shape) {
        if (isScale(name)) {
            return 0.05;
        }
        if (name.equals(CheckpointLayout.EMBED_TOKENS)) {
            return 1.0;
        }
        if (name.contains("lora_B")) {
            return 0.5 / Math.sqrt(shape[1]);
        }
        if (shape.length >= 2) {
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return name.equals(CheckpointLayout.POSITION_EMBEDDING) ? 0.5 : 1.0 / Math.sqrt(fanIn);
        }
        return name.equals(CheckpointLayout.CLASS_EMBEDDING) ? 0.5 : 0.05;
    }

    /** Little-endian bytes of the values in the stored dtype. */
    static ByteBuffer encode(float[] values, DType dtype) {
        return encode(values, values.length, dtype);
    }

    /** Little-endian bytes of the first {@code n} values; float16 is rounded by libtorch. */
    static ByteBuffer encode(float[] values, int n, DType dtype) {
        switch (dtype) {
            case F32 -> {
                ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(values, 0, n);
                return b;
            }
            case BF16 -> {
                ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    b.putShort(i * 2, bfloat16(values[i]));
                }
                return b;
            }
            default -> {
                Libtorch.ensureLoaded();
                try (Tensor f = AbstractTensor.create(n == values.length ? values : Arrays.copyOf(values, n));
                     Tensor h = f.to(MappedWeights.scalarType(dtype))) {
                    byte[] out = new byte[n * 2];
                    new BytePointer(h.data_ptr()).capacity(out.length).get(out);
                    return ByteBuffer.wrap(out);
                }
            }
        }
    }

    /**
     * float32 to bfloat16, rounding to nearest even as libtorch's conversion does (NaN becomes the
     * quiet NaN 0x7FC0), computed here so that writer threads need no native calls.
     */
    static short bfloat16(float value) {
        if (Float.isNaN(value)) {
            return 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = ((bits >>> 16) & 1) + 0x7FFF;
        return (short) ((bits + roundingBias) >>> 16);
    }
}
