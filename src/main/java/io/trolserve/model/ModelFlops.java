package io.trolserve.model;

/**
 * The arithmetic a TroL forward needs, in FLOPs (one multiply-add = 2), from the configuration
 * alone (TROL_SPEC.md §6, made exact for the matmuls): what a perfect kernel could not avoid.
 * Element-wise work (norms, RoPE, activations, the gate mix) is left out; it is a few percent.
 * Benchmarks divide a workload's total by a measured GEMM rate to get its compute floor.
 *
 * <p>Per token and layer, one pass: the five Plora projections (wqkv, wo, w1, w2, w3), their
 * low-rank adapters on image tokens only, and attention (QK^T and AV over the keys it sees).
 * A prompt token makes two passes (traversal); an output token fed back makes one. The head
 * runs only on rows whose logits are sampled.
 */
public final class ModelFlops {

    private final TrolConfig lm;

    public ModelFlops(TrolConfig config) {
        this.lm = config;
    }

    /**
     * The counts for a loaded model; refuses TroL-3.8B, whose tiles and un-adapted Phi-3 layers
     * these formulas do not describe (a wrong floor would mislead more than none).
     */
    public static ModelFlops of(TrolModel model) {
        if (!(model.config() instanceof TrolConfig c)) {
            throw new IllegalArgumentException("FLOP counts are defined for the InternLM2 variants (TroL-1.8B, 7B),"
                    + " not for this checkpoint's " + model.config().getClass().getSimpleName()
                    + " language model (TroL-3.8B: issue 12)");
        }
        return new ModelFlops(c);
    }

    /** One pass of one token through every layer's projections, adapters excluded. */
    public long projectionsPerToken() {
        long h = lm.hiddenSize();
        long i = lm.intermediateSize();
        long perLayer = h * lm.qkvRows() + h * h + 3 * h * i;
        return 2 * lm.numLayers() * perLayer;
    }

    /** What the low-rank adapters add to one pass of one image token, all layers. */
    public long adaptersPerImageToken() {
        long h = lm.hiddenSize();
        long i = lm.intermediateSize();
        long r = lm.ploraRank();
        long perLayer = r * ((h + lm.qkvRows()) + (h + h) + 2 * (h + i) + (i + h));
        return 2 * lm.numLayers() * perLayer;
    }

    /** Attention of one token over {@code keys} keys, one pass, all layers: QK^T then AV. */
    public long attentionPerToken(long keys) {
        return 2L * 2 * lm.numLayers() * lm.numHeads() * lm.headDim() * keys;
    }

    /** The head: one row of logits. */
    public long headPerRow() {
        return 2L * lm.hiddenSize() * lm.vocabSize();
    }

    /** The traversal gate of one token (Linear(H -> 1)), all layers. */
    public long gatePerToken() {
        return 2L * lm.numLayers() * lm.hiddenSize();
    }

    /**
     * A whole prompt computed as the official forward does (traversed, both passes attend causally
     * to the prompt so far), plus the head row that gives the first output token.
     */
    public long prompt(int promptTokens, int imageTokens) {
        long keysSummed = (long) promptTokens * (promptTokens + 1) / 2;   // token p sees p + 1 keys
        long onePass = promptTokens * projectionsPerToken() + imageTokens * adaptersPerImageToken()
                + attentionPerTokenSummed(keysSummed);
        return 2 * onePass + promptTokens * gatePerToken() + headPerRow();
    }

    /**
     * The outputs after the first: each earlier output token is fed back once (one pass, no
     * traversal) and gives the next one's logits.
     */
    public long decode(int promptTokens, int outputTokens) {
        long flops = 0;
        for (int k = 1; k < outputTokens; k++) {
            flops += projectionsPerToken() + attentionPerToken(promptTokens + k) + headPerRow();
        }
        return flops;
    }

    /** The vision tower and projector for one image: ViT over grid^2 + 1 tokens, projector over grid^2. */
    public long visionPerImage() {
        VisionConfig v = lm.vision();
        long t = v.imageTokens() + 1L;
        long c = v.hiddenSize();
        long ci = v.intermediateSize();
        long patch = 2L * v.imageTokens() * 3L * v.patchSize() * v.patchSize() * c;
        long perLayer = 2 * t * (4 * c * c + 2 * c * ci) + 2L * 2 * t * t * c;
        long projector = 2L * v.imageTokens() * (c * lm.hiddenSize() + (long) lm.hiddenSize() * lm.hiddenSize());
        return patch + v.numLayers() * perLayer + projector;
    }

    /** Everything one request needs: its images, its traversed prompt and its decode steps. */
    public long request(int promptTokens, int imageTokens, int images, int outputTokens) {
        return images * visionPerImage() + prompt(promptTokens, imageTokens) + decode(promptTokens, outputTokens);
    }

    private long attentionPerTokenSummed(long keysSummed) {
        return attentionPerToken(1) * keysSummed;
    }
}
