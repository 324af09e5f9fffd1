package io.trolserve.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.TorchSaveReader;

/**
 * One case of the fixtures that {@code tools/reference/phi3_reference.py} wrote under
 * {@code src/test/resources/reference/phi3/}: the shared weights ({@code model.pt}, with the
 * checkpoint's tensor names, and {@code trol_gating.pt} as the official code saves it), the shared
 * input embeddings ({@code inputs.pt}), and the case's {@code config.json} and expected logits.
 * Create it outside any PointerScope; {@link #close()} frees what it holds.
 */
final class Phi3Fixture implements AutoCloseable {

    static final Path DIR = Path.of("src/test/resources/reference/phi3");
    static final int PROMPT = 12;
    static final int DECODE = 3;

    final Phi3Config config;
    final Phi3RotaryEmbedding rope;
    final Phi3LanguageModel model;
    final Tensor prompt;     // (12, H) input embeddings of the prompt
    final Tensor decode;     // (3, H) input embeddings of the decode steps
    final Tensor expected;   // (15, V) the reference's logits: prompt rows, then one per decode step
    private final List<Tensor> owned = new ArrayList<>();

    Phi3Fixture(String name) {
        config = Phi3Config.read(DIR.resolve(name).resolve("config.json"));
        rope = new Phi3RotaryEmbedding(config, Placement.cpuFloat32());
        Map<String, Tensor> weights = read(DIR.resolve("model.pt"));
        Map<String, Tensor> gates = read(DIR.resolve("trol_gating.pt"));
        List<Phi3LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(Phi3LayerWeights.of(i, weights::get, gates.get(i + ".weight"), gates.get(i + ".bias")));
        }
        model = new Phi3LanguageModel(config, layers, weights.get(Phi3LanguageModel.FINAL_NORM),
                weights.get(Phi3LanguageModel.LM_HEAD), rope);
        Map<String, Tensor> inputs = read(DIR.resolve("inputs.pt"));
        prompt = inputs.get("prompt_embeddings");
        decode = inputs.get("decode_embeddings");
        Map<String, Tensor> logits = read(DIR.resolve(name).resolve("expected.pt"));
        expected = torch.cat(new TensorVector(logits.get("prompt_logits"), logits.get("decode_logits")), 0);
        owned.add(expected);
    }

    /** A torch.save state dict as float32 tensors (float16 and bfloat16 widen exactly). */
    private Map<String, Tensor> read(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : TorchSaveReader.read(file).entrySet()) {
            Tensor t = AbstractTensor.create(e.getValue().toFloatArray(), e.getValue().shape());
            owned.add(t);
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** K/V layout of this model, for stores of either kind. */
    KvLayout kvLayout() {
        return new KvLayout(config.numLayers(), config.numKvHeads(), config.headDim(), Placement.cpuFloat32());
    }

    @Override
    public void close() {
        rope.close();
        owned.forEach(Tensor::close);
    }
}
