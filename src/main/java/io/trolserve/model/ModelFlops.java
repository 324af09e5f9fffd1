package io.trolserve.model;

/**
 * The arithmetic a TroL forward needs, in FLOPs (one multiply-add = 2), from the configuration
 * alone (TROL_SPEC.md §6 and docs/TROL_3_8B.md §2, §4, §5, made exact for the matmuls): what a
 * perfect kernel could not avoid. Element-wise work (norms, RoPE, activations, the gate mix) is
 * left out; it is a few percent. Benchmarks divide a workload's total by a measured GEMM rate to
 * get its compute floor.
 *
 * <p>Per token and layer, one pass: the layer's projections (InternLM2: wqkv, wo, w1, w2, w3;
 * Phi-3: qkv_proj, o_proj, gate_up_proj, down_proj), the low-rank adapters on image tokens only
 * (InternLM2's Plora; Phi-3 has none), and attention (QK^T and AV over the keys it sees, at most
 * a sliding window's). A prompt token makes two passes (traversal); an output token fed back makes
 * one. The head runs only on rows whose logits are sampled. The vision tower is counted per tile:
 * an InternLM2 image is one tile, a TroL-3.8B image is 1 to 7 ({@link ImagePolicy#tiles}).
 */
public final class ModelFlops {

    private final long layers;
    private final long hidden;
    private final long projectionsPerToken;
    private final long adaptersPerImageToken;
    private final long attentionPerKey;
    private final long keysCap;
    private final long headPerRow;
    private final long visionPerTile;

    public ModelFlops(TrolConfig lm) {
        this(lm.numLayers(), lm.hiddenSize(), projections(lm.numLayers(), lm.hiddenSize(), lm.qkvRows(), lm.intermediateSize()),
                adapters(lm), lm.numHeads() * (long) lm.headDim(), Long.MAX_VALUE, lm.vocabSize(), vision(lm));
    }

    /** TroL-3.8B: plain Phi-3 layers (no adapters, optional sliding window) and the InternViT tower. */
    public ModelFlops(Phi3Config lm, InternVitConfig vit) {
        this(lm.numLayers(), lm.hiddenSize(), projections(lm.numLayers(), lm.hiddenSize(), lm.qkvRows(), lm.intermediateSize()),
                0, lm.numHeads() * (long) lm.headDim(),
                lm.slidingWindow() == null ? Long.MAX_VALUE : lm.slidingWindow() + 1L, lm.vocabSize(), vision(lm, vit));
    }

    private ModelFlops(long layers, long hidden, long projectionsPerToken, long adaptersPerImageToken, long attentionWidth,
                       long keysCap, long vocab, long visionPerTile) {
        this.layers = layers;
        this.hidden = hidden;
        this.projectionsPerToken = projectionsPerToken;
        this.adaptersPerImageToken = adaptersPerImageToken;
        this.attentionPerKey = 2L * 2 * layers * attentionWidth;
        this.keysCap = keysCap;
        this.headPerRow = 2L * hidden * vocab;
        this.visionPerTile = visionPerTile;
    }

    /** The counts for a loaded model, whichever variant. */
    public static ModelFlops of(TrolModel model) {
        if (model.config() instanceof TrolConfig c) {
            return new ModelFlops(c);
        }
        if (model instanceof Phi3Trol phi3) {
            return new ModelFlops(phi3.config(), phi3.visionConfig());
        }
        throw new IllegalArgumentException("no FLOP counts for a model with a "
                + model.config().getClass().getSimpleName() + " language model");
    }

    /** One pass of one token through every layer's projections, adapters excluded. */
    public long projectionsPerToken() {
        return projectionsPerToken;
    }

    /** What the low-rank adapters add to one pass of one image token, all layers (0 for Phi-3). */
    public long adaptersPerImageToken() {
        return adaptersPerImageToken;
    }

    /** Attention of one token over {@code keys} keys (before any window), one pass, all layers: QK^T then AV. */
    public long attentionPerToken(long keys) {
        return attentionPerKey * Math.min(keys, keysCap);
    }

    /** The head: one row of logits. */
    public long headPerRow() {
        return headPerRow;
    }

    /** The traversal gate of one token (Linear(H -> 1)), all layers. */
    public long gatePerToken() {
        return 2L * layers * hidden;
    }

    /**
     * A whole prompt computed as the official forward does (traversed, both passes attend causally
     * to the prompt so far), plus the head row that gives the first output token.
     */
    public long prompt(int promptTokens, int imageTokens) {
        long onePass = promptTokens * projectionsPerToken + imageTokens * adaptersPerImageToken
                + attentionPerKey * keysSummed(promptTokens);
        return 2 * onePass + promptTokens * gatePerToken() + headPerRow;
    }

    /**
     * The outputs after the first: each earlier output token is fed back once (one pass, no
     * traversal) and gives the next one's logits.
     */
    public long decode(int promptTokens, int outputTokens) {
        long flops = 0;
        for (int k = 1; k < outputTokens; k++) {
            flops += projectionsPerToken + attentionPerToken(promptTokens + k) + headPerRow;
        }
        return flops;
    }

    /** The vision tower and projector for one tile (an InternLM2 image is one tile). */
    public long visionPerTile() {
        return visionPerTile;
    }

    /** Everything one request needs: its images' tiles, its traversed prompt and its decode steps. */
    public long request(int promptTokens, int imageTokens, int tiles, int outputTokens) {
        return tiles * visionPerTile + prompt(promptTokens, imageTokens) + decode(promptTokens, outputTokens);
    }

    /** Keys seen by prompt tokens 0..T-1 together: token p sees p + 1, at most the window's. */
    private long keysSummed(long tokens) {
        if (tokens <= keysCap) {
            return tokens * (tokens + 1) / 2;
        }
        return keysCap * (keysCap + 1) / 2 + (tokens - keysCap) * keysCap;
    }

    private static long projections(long layers, long h, long qkvRows, long i) {
        return 2 * layers * (h * qkvRows + h * h + 3 * h * i);   // qkv, o, and gate+up+down (or w1, w3, w2)
    }

    private static long adapters(TrolConfig lm) {
        long h = lm.hiddenSize();
        long i = lm.intermediateSize();
        long r = lm.ploraRank();
        long perLayer = r * ((h + lm.qkvRows()) + (h + h) + 2 * (h + i) + (i + h));
        return 2 * lm.numLayers() * perLayer;
    }

    /** ViT over grid^2 + 1 tokens, projector over grid^2 (TROL_SPEC.md §2). */
    private static long vision(TrolConfig lm) {
        VisionConfig v = lm.vision();
        return encoder(v.imageTokens(), v.patchSize(), v.hiddenSize(), v.intermediateSize(), v.numLayers())
                + 2L * v.imageTokens() * ((long) v.hiddenSize() * lm.hiddenSize() + (long) lm.hiddenSize() * lm.hiddenSize());
    }

    /** InternViT over (S/P)^2 + 1 tokens, then the projector 4C -> H -> H over the shuffled tokens (§2). */
    private static long vision(Phi3Config lm, InternVitConfig v) {
        long h = lm.hiddenSize();
        return encoder((long) v.gridSize() * v.gridSize(), v.patchSize(), v.hiddenSize(), v.intermediateSize(), v.numLayers())
                + 2L * v.tokensPerTile() * (v.shuffledWidth() * h + h * h);
    }

    /** Patch conv over the grid, then per layer qkv + proj (4C^2), fc1 + fc2 (2C Ci) and full attention. */
    private static long encoder(long patches, long patchSize, long c, long ci, long numLayers) {
        long t = patches + 1;
        long patch = 2 * patches * 3 * patchSize * patchSize * c;
        long perLayer = 2 * t * (4 * c * c + 2 * c * ci) + 2L * 2 * t * t * c;
        return patch + numLayers * perLayer;
    }
}
