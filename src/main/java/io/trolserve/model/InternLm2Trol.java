package io.trolserve.model;

import java.nio.file.Path;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import io.trolserve.text.PromptFormat;

/**
 * The TroL variants built on InternLM2 (TroL-1.8B and TroL-7B): CLIP vision tower, projector and
 * the traversed InternLM2 language model with Plora, over one set of weights (TROL_SPEC §1-§5).
 * Stateless between calls: per-sequence state lives in {@link KvStore}s.
 *
 * <p>The weights, rotary tables and normalisation constants are owned here and freed by
 * {@link #close()}.
 */
final class InternLm2Trol implements TrolModel {

    private final TrolWeights weights;
    private final RotaryEmbedding rope;
    private final ImagePreprocessor preprocessor;
    private final VisionTower vision;
    private final LanguageModel language;

    private InternLm2Trol(TrolWeights weights) {
        this.weights = weights;
        this.rope = new RotaryEmbedding(weights.config(), weights.placement());
        this.preprocessor = new ImagePreprocessor(weights.config().vision().imageSize(), weights.placement());
        this.vision = new VisionTower(weights.vision(), weights.config().vision());
        this.language = new LanguageModel(weights, rope);
    }

    static InternLm2Trol load(Path checkpointDir, Placement placement) {
        return of(CheckpointLoader.load(checkpointDir, placement));
    }

    static InternLm2Trol of(TrolWeights weights) {
        return new InternLm2Trol(weights);
    }

    @Override
    public TrolConfig config() {
        return weights.config();
    }

    @Override
    public int imageTokenId() {
        return weights.config().imageTokenId();
    }

    @Override
    public int imageSize() {
        return weights.config().vision().imageSize();
    }

    @Override
    public Placement placement() {
        return weights.placement();
    }

    @Override
    public PromptFormat promptFormat() {
        return PromptFormat.INTERNLM2_CHAT;
    }

    /** Decoded straight to the tower's square: one tile whatever the upload's size. */
    @Override
    public ImagePolicy imagePolicy() {
        return new ImagePolicy.Square(imageSize(), imageTokensPerImage());
    }

    /** (image_size / patch_size)^2: one token per CLIP patch of the one resized image. */
    @Override
    public int imageTokensPerImage() {
        return weights.config().vision().imageTokens();
    }

    @Override
    public Tensor encodeImage(int width, int height, byte[] rgb) {
        return vision.encode(preprocessor.pixels(width, height, rgb)).squeeze(0);
    }

    @Override
    public Tensor encodePixels(Tensor pixels) {
        return vision.encode(pixels);
    }

    @Override
    public Tensor preprocess(int width, int height, byte[] rgb) {
        return preprocessor.pixels(width, height, rgb);
    }

    @Override
    public Tensor forward(ForwardBatch batch) {
        try (Device device = weights.placement().device()) {
            return language.forward(batch, device);
        }
    }

    @Override
    public KvLayout kvLayout() {
        TrolConfig c = weights.config();
        return new KvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), weights.placement());
    }

    @Override
    public ContiguousKvStore newKvStore(int capacity) {
        rope.checkLength(capacity);
        return new ContiguousKvStore(kvLayout(), capacity);
    }

    /** The loaded weights, for tests and tools that inspect or alter them. */
    TrolWeights weights() {
        return weights;
    }

    @Override
    public long weightBytes() {
        return weights.bytes();
    }

    @Override
    public long decodeStepBytes() {
        return weights.decodeStepBytes();
    }

    @Override
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
