package io.trolserve.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

import io.trolserve.model.checkpoint.DType;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.model.checkpoint.SafetensorsWriter;

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

    private final TinyCheckpointSpec spec;
    private final TrolConfig config;

    private TinyCheckpointWriter(TinyCheckpointSpec spec) {
        this.spec = spec;
        this.config = configOf(spec);
    }

    public static TrolConfig write(Path dir, TinyCheckpointSpec spec) throws IOException {
        Files.createDirectories(dir);
        TinyCheckpointWriter w = new TinyCheckpointWriter(spec);
        w.writeConfig(dir.resolve("config.json"));
        w.writeWeights(dir);
        TinyGates.write(dir.resolve(GateValues.TORCH_FILE), spec);
        return w.config;
    }

    static TrolConfig configOf(TinyCheckpointSpec s) {
        VisionConfig vision = new VisionConfig(s.visionHidden(), s.visionIntermediate(), s.visionLayers(),
                s.visionHeads(), s.patchSize(), s.imageSize(), 1e-5, "quick_gelu");
        return new TrolConfig(s.vocabSize(), s.hiddenSize(), s.intermediateSize(), s.numLayers(), s.numHeads(),
                s.numKvHeads(), 1e-5, s.ropeTheta(), 0, s.maxPositions(), s.bias(), 1, 2, s.ploraRank(), vision);
    }

    private void writeConfig(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.putArray("architectures").add("TroLForCausalLM");
        root.put("model_type", "internlm2");
        root.put("vocab_size", config.vocabSize());
        root.put("hidden_size", config.hiddenSize());
        root.put("intermediate_size", config.intermediateSize());
        root.put("num_hidden_layers", config.numLayers());
        root.put("num_attention_heads", config.numHeads());
        root.put("num_key_value_heads", config.numKvHeads());
        root.put("hidden_act", "silu");
        root.put("rms_norm_eps", config.rmsNormEps());
        root.put("rope_theta", config.ropeTheta());
        root.putNull("rope_scaling");
        root.put("max_position_embeddings", config.maxPositions());
        root.put("bias", config.bias());
        root.put("bos_token_id", config.bosTokenId());
        root.put("eos_token_id", config.eosTokenId());
        root.put("pad_token_id", config.eosTokenId());
        root.put("tie_word_embeddings", false);
        root.put("torch_dtype", switch (spec.dtype()) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        });
        root.put("plora_rank", config.ploraRank());
        root.put("trol_note", "random weights written by trol-serve init-tiny (seed " + spec.seed()
                + "): answers are meaningless");
        ObjectNode v = root.putObject("vision_config");
        VisionConfig vc = config.vision();
        v.put("hidden_size", vc.hiddenSize());
        v.put("intermediate_size", vc.intermediateSize());
        v.put("num_hidden_layers", vc.numLayers());
        v.put("num_attention_heads", vc.numHeads());
        v.put("patch_size", vc.patchSize());
        v.put("image_size", vc.imageSize());
        v.put("layer_norm_eps", vc.layerNormEps());
        v.put("hidden_act", vc.hiddenAct());
        json.writeValue(file.toFile(), root);
    }

    private void writeWeights(Path dir) throws IOException {
        List<SafetensorsWriter.Declared> all = new ArrayList<>();
        for (CheckpointLayout.Expected e : CheckpointLayout.expected(config, spec.positionRows())) {
            all.add(new SafetensorsWriter.Declared(e.name(), spec.dtype(), e.shape()));
        }
        Map<String, String> metadata = Map.of("format", "pt");
        if (spec.shards() <= 1) {
            SafetensorsWriter.write(dir.resolve(MappedWeights.SINGLE_FILE), all, metadata, this::randomBytes);
            return;
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        int n = spec.shards();
        for (int k = 0; k < n; k++) {
            List<SafetensorsWriter.Declared> shard = all.subList(k * all.size() / n, (k + 1) * all.size() / n);
            String name = String.format("model-%05d-of-%05d.safetensors", k + 1, n);
            SafetensorsWriter.write(dir.resolve(name), shard, metadata, this::randomBytes);
            shard.forEach(t -> weightMap.put(t.name(), name));
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata");
        index.set("weight_map", json.valueToTree(weightMap));
        json.writeValue(dir.resolve(MappedWeights.SHARD_INDEX).toFile(), index);
    }

    private ByteBuffer randomBytes(SafetensorsWriter.Declared t) {
        long numel = 1;
        for (long d : t.shape()) {
            numel *= d;
        }
        float[] values = new float[Math.toIntExact(numel)];
        Random random = new Random(spec.seed() * 1_000_003L + t.name().hashCode());
        double std = std(t.name(), t.shape());
        double mean = isScale(t.name()) ? 1.0 : 0.0;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean + std * random.nextGaussian());
        }
        return encode(values, t.dtype());
    }

    /** Norm weights sit near 1; everything else is centred on 0. */
    private static boolean isScale(String name) {
        return name.endsWith("norm.weight") || name.endsWith("norm1.weight") || name.endsWith("norm2.weight")
                || name.endsWith("layrnorm.weight");
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

    /** Little-endian bytes of the values in the stored dtype; half types are rounded by libtorch. */
    static ByteBuffer encode(float[] values, DType dtype) {
        if (dtype == DType.F32) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return b;
        }
        Libtorch.ensureLoaded();
        try (Tensor f = AbstractTensor.create(values);
             Tensor h = f.to(MappedWeights.scalarType(dtype))) {
            byte[] out = new byte[values.length * 2];
            new BytePointer(h.data_ptr()).capacity(out.length).get(out);
            return ByteBuffer.wrap(out);
        }
    }
}
