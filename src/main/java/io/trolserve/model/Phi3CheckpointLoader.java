package io.trolserve.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.model.checkpoint.JsonFiles;
import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.text.Phi3Tokens;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

/**
 * Loads a TroL-3.8B checkpoint (docs/TROL_3_8B.md §1): config.json's {@code llm_config} and
 * {@code vision_config}, the weights from {@code model.safetensors} or shards with their index,
 * the gates from {@code trol_gating.pt}. Every tensor is checked against the model classes'
 * tables (§1.3) and all problems reported at once, before any tensor is built; extra
 * {@code language_model.model.trol_gating.*} keys are ignored, as {@code from_pretrained} ignores them.
 */
final class Phi3CheckpointLoader {

    /** The tile side the official tiler and transform hard-code (§3, §7 item 6). */
    static final int TILE_SIZE = 448;
    /** Image tokens per tile that the official prompt code hard-codes (§6). */
    static final int TOKENS_PER_TILE = 256;

    private static final String IGNORED_PREFIX = "language_model.model.trol_gating.";

    /** What a loaded TroL-3.8B holds; {@link #close()} frees every tensor it built. */
    record Loaded(Phi3Config config, InternVitConfig visionConfig, Placement placement, int imageTokenId,
                  Tensor embedTokens, List<Phi3LayerWeights> layers, Tensor finalNorm, Tensor lmHead,
                  InternVitWeights vision, List<Tensor> owned) implements AutoCloseable {

        long bytes() {
            return owned.stream().mapToLong(Tensor::nbytes).sum();
        }

        /** Every layer's norms and projections, the final norm and the head: what a decode step streams. */
        long decodeStepBytes() {
            long bytes = finalNorm.nbytes() + lmHead.nbytes();
            for (Phi3LayerWeights l : layers) {
                bytes += l.inputLayernorm().nbytes() + l.qkvProj().nbytes() + l.oProj().nbytes()
                        + l.postAttentionLayernorm().nbytes() + l.gateUpProj().nbytes() + l.downProj().nbytes();
            }
            return bytes;
        }

        @Override
        public void close() {
            owned.forEach(Tensor::close);
        }
    }

    private final Placement placement;
    private final List<Tensor> owned = new ArrayList<>();

    private Phi3CheckpointLoader(Placement placement) {
        this.placement = placement;
    }

    /**
     * Whether config.json describes TroL-3.8B: it carries {@code llm_config}, or it says
     * {@code model_type "trol"} without InternLM2's top-level {@code vocab_size} (so that a
     * TroL-3.8B config that lost its {@code llm_config} is refused for that, not for InternLM2 fields).
     */
    static boolean isPhi3(Path dir) {
        JsonNode root = JsonFiles.readObject(dir.resolve(ConfigKeys.FILE));
        return root.has(ConfigKeys.LLM_CONFIG) || ("trol".equals(root.path(ConfigKeys.MODEL_TYPE).asText())
                && !root.has(ConfigKeys.VOCAB_SIZE));
    }

    static Loaded load(Path dir, Placement placement) {
        Libtorch.ensureLoaded();
        Path configJson = dir.resolve(ConfigKeys.FILE);
        Phi3Config config = Phi3Config.read(configJson);
        InternVitConfig vision = InternVitConfig.read(configJson);
        if (vision.imageSize() != TILE_SIZE || vision.tokensPerTile() != TOKENS_PER_TILE) {
            throw CheckpointException.inFile(configJson, "vision_config image_size " + vision.imageSize()
                    + " with patch_size " + vision.patchSize() + " gives " + vision.tokensPerTile()
                    + " tokens per tile; TroL-3.8B's tiler cuts " + TILE_SIZE + " px tiles of "
                    + TOKENS_PER_TILE + " tokens (docs/TROL_3_8B.md §3)");
        }
        int imageTokenId = imageTokenId(dir);
        try (MappedWeights mapped = MappedWeights.openCheckpoint(dir)) {
            validate(dir, expected(config, vision), mapped);
            GateValues gates = GateValues.read(dir, config.numLayers(), config.hiddenSize());
            return new Phi3CheckpointLoader(placement).build(config, vision, imageTokenId, mapped, gates);
        }
    }

    /** Every tensor of the model file by name, with the shape config.json implies. */
    static Map<String, long[]> expected(Phi3Config c, InternVitConfig v) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (CheckpointLayout.Expected e : InternVitWeights.expected(v, c.hiddenSize())) {
            out.put(e.name(), e.shape());
        }
        out.put(Phi3LanguageModel.EMBED_TOKENS, new long[] {c.vocabSize(), c.hiddenSize()});
        for (int i = 0; i < c.numLayers(); i++) {
            out.putAll(Phi3LayerWeights.shapes(i, c));
        }
        out.put(Phi3LanguageModel.FINAL_NORM, new long[] {c.hiddenSize()});
        out.put(Phi3LanguageModel.LM_HEAD, new long[] {c.vocabSize(), c.hiddenSize()});
        return out;
    }

    private static void validate(Path dir, Map<String, long[]> expected, MappedWeights mapped) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            MappedWeights.Located found = mapped.tensors().get(e.getKey());
            if (found == null) {
                problems.add("missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(found.entry().shape(), e.getValue())) {
                problems.add(found.file().path().getFileName() + ": tensor " + e.getKey() + " has shape "
                        + Arrays.toString(found.entry().shape()) + " but config.json implies "
                        + Arrays.toString(e.getValue()));
            } else {
                try {
                    found.entry().dtype(found.file().path());
                } catch (CheckpointException ex) {
                    problems.add(ex.getMessage());
                }
            }
        }
        for (Map.Entry<String, MappedWeights.Located> t : mapped.tensors().entrySet()) {
            if (!expected.containsKey(t.getKey()) && !t.getKey().startsWith(IGNORED_PREFIX)) {
                problems.add(t.getValue().file().path().getFileName() + ": unexpected tensor " + t.getKey() + " "
                        + Arrays.toString(t.getValue().entry().shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(dir + ": the weights do not match config.json (" + problems.size()
                    + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  - "
                    + String.join("\n  - ", problems.subList(0, Math.min(problems.size(), 40)))
                    + (problems.size() > 40 ? "\n  - ... and " + (problems.size() - 40) + " more" : ""));
        }
    }

    /** {@code <IMG_CONTEXT>}'s id in tokenizer.json's added tokens, as {@code setting_trol_config} looks it up (§1.5). */
    private static int imageTokenId(Path dir) {
        Path file = dir.resolve(TrolTokenizer.FILE_NAME);
        for (JsonNode token : JsonFiles.readObject(file).path("added_tokens")) {
            if (Phi3Tokens.IMG_CONTEXT.equals(token.path("content").asText())) {
                return token.path("id").asInt();
            }
        }
        throw CheckpointException.inFile(file, "has no " + Phi3Tokens.IMG_CONTEXT
                + " added token, which TroL-3.8B's image features stand on");
    }

    private Loaded build(Phi3Config c, InternVitConfig v, int imageTokenId, MappedWeights mapped, GateValues gates) {
        try {
            List<Phi3LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                layers.add(Phi3LayerWeights.of(i, name -> place(mapped, name),
                        own(gates.weight(i, placement)), own(gates.bias(i, placement))));
            }
            return new Loaded(c, v, placement, imageTokenId, place(mapped, Phi3LanguageModel.EMBED_TOKENS), layers,
                    place(mapped, Phi3LanguageModel.FINAL_NORM), place(mapped, Phi3LanguageModel.LM_HEAD),
                    InternVitWeights.fromNamed(v, name -> place(mapped, name)), owned);
        } catch (RuntimeException e) {
            owned.forEach(Tensor::close);
            throw e;
        }
    }

    /** Same device and dtype as the placement; an alias of the mapping when those match the file's. */
    private Tensor place(MappedWeights mapped, String name) {
        try (Tensor view = mapped.view(name); Device device = placement.device()) {
            return own(view.to(device, placement.scalarType()));
        }
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }
}
