package io.trolserve.model;

import java.nio.file.Path;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * A loaded TroL model (InternLM2 variant): vision tower, projector and traversed language model
 * over one set of weights. Stateless between calls: per-sequence state lives in {@link KvStore}s.
 *
 * <p>Threading and memory: call every method from one thread (the engine's), inside an
 * {@code InferenceMode} guard and a {@code PointerScope} that the caller closes after each step;
 * returned tensors belong to that scope. The weights, rotary tables and normalisation constants
 * are owned here and freed by {@link #close()}.
 */
public final class TrolModel implements AutoCloseable {

    private final TrolWeights weights;
    private final RotaryEmbedding rope;
    private final ImagePreprocessor preprocessor;
    private final VisionTower vision;
    private final LanguageModel language;

    private TrolModel(TrolWeights weights) {
        this.weights = weights;
        this.rope = new RotaryEmbedding(weights.config(), weights.placement());
        this.preprocessor = new ImagePreprocessor(weights.config().vision().imageSize(), weights.placement());
        this.vision = new VisionTower(weights.vision(), weights.config().vision());
        this.language = new LanguageModel(weights, rope);
    }

    public static TrolModel load(Path checkpointDir, Placement placement) {
        return new TrolModel(CheckpointLoader.load(checkpointDir, placement));
    }

    public TrolConfig config() {
        return weights.config();
    }

    public Placement placement() {
        return weights.placement();
    }

    /** Image tokens each image expands to: (image_size / patch_size)^2. */
    public int imageTokensPerImage() {
        return weights.config().vision().imageTokens();
    }

    /**
     * @param rgb interleaved 8-bit RGB, row-major
     * @return (G*G, H) projected features of one image
     */
    public Tensor encodeImage(int width, int height, byte[] rgb) {
        return vision.encode(preprocessor.pixels(width, height, rgb)).squeeze(0);
    }

    /**
     * @param pixels (N, 3, S, S) as produced by the preprocessor, for batched encoding
     * @return (N, G*G, H)
     */
    public Tensor encodePixels(Tensor pixels) {
        return vision.encode(pixels);
    }

    /** (1, 3, S, S) normalised pixels of one image. */
    public Tensor preprocess(int width, int height, byte[] rgb) {
        return preprocessor.pixels(width, height, rgb);
    }

    /** @return (logitRows, V) float32 next-token logits of the requested rows */
    public Tensor forward(ForwardBatch batch) {
        try (Device device = weights.placement().device()) {
            return language.forward(batch, device);
        }
    }

    /** A K/V buffer for one sequence of up to {@code capacity} positions; the caller closes it. */
    public ContiguousKvStore newKvStore(int capacity) {
        rope.checkLength(capacity);
        return new ContiguousKvStore(weights.config(), weights.placement(), capacity);
    }

    /** The loaded weights, for tests and tools that inspect or alter them. */
    TrolWeights weights() {
        return weights;
    }

    /** Bytes of the loaded weights (the part of a memory budget that the model itself takes). */
    public long weightBytes() {
        return weights.bytes();
    }

    /** Weight bytes one decode step reads (see {@link TrolWeights#decodeStepBytes()}). */
    public long decodeStepBytes() {
        return weights.decodeStepBytes();
    }

    public int maxPositions() {
        return rope.maxPositions();
    }

    @Override
    public void close() {
        preprocessor.close();
        rope.close();
        weights.close();
    }
}
