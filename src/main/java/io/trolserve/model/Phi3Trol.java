package io.trolserve.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.text.PromptFormat;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.DynamicTiling;
import io.trolserve.vision.TiledImage;

/**
 * TroL-3.8B: InternViT-300M with its pixel-shuffle projector, and the traversed Phi-3-mini
 * language model (docs/TROL_3_8B.md §2-§5), behind the engine's {@link TrolModel} calls.
 * Stateless between calls: per-sequence state lives in {@link KvStore}s.
 *
 * <p>An image here is 256 tokens per 448 px tile, and its tile count varies with its size (1 to
 * 7, §3): {@link ImagePolicy.Tiled} tells the intake to decode it at its own size and how long
 * its {@code <IMG_CONTEXT>} run is; the engine encodes its tiles with {@link #preprocess} and
 * {@link #encodePixels}, the plain path with {@link #encodeImage}.
 *
 * <p>The weights and rotary tables are owned here and freed by {@link #close()}.
 */
final class Phi3Trol implements TrolModel {

    private final Phi3CheckpointLoader.Loaded weights;
    private final Phi3RotaryEmbedding rope;
    private final Phi3LanguageModel language;
    private final InternVitTower vision;

    private Phi3Trol(Phi3CheckpointLoader.Loaded weights) {
        this.weights = weights;
        this.rope = new Phi3RotaryEmbedding(weights.config(), weights.placement());
        this.language = new Phi3LanguageModel(weights.config(), weights.layers(), weights.finalNorm(),
                weights.lmHead(), rope);
        this.vision = new InternVitTower(weights.vision(), weights.visionConfig());
    }

    static Phi3Trol load(Path checkpointDir, Placement placement) {
        Phi3CheckpointLoader.Loaded loaded = Phi3CheckpointLoader.load(checkpointDir, placement);
        try {
            return new Phi3Trol(loaded);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    @Override
    public Phi3Config config() {
        return weights.config();
    }

    /** The tower's shape, for the FLOP counts ({@link ModelFlops#of}). */
    InternVitConfig visionConfig() {
        return weights.visionConfig();
    }

    /** {@code <IMG_CONTEXT>}, as tokenizer.json numbers it (§1.5). */
    @Override
    public int imageTokenId() {
        return weights.imageTokenId();
    }

    @Override
    public int imageSize() {
        return DynamicTiling.TILE_SIZE;
    }

    @Override
    public ImagePolicy imagePolicy() {
        return new ImagePolicy.Tiled(imageTokensPerImage());
    }

    @Override
    public Placement placement() {
        return weights.placement();
    }

    @Override
    public PromptFormat promptFormat() {
        return PromptFormat.PHI3_CHAT;
    }

    /** Tokens of one tile: an image takes this many times its tile count (§6). */
    @Override
    public int imageTokensPerImage() {
        return weights.visionConfig().tokensPerTile();
    }

    /** @return (256 * tiles, H) the official features of the image's tiles and thumbnail, in order */
    @Override
    public Tensor encodeImage(int width, int height, byte[] rgb) {
        return encodeImage(new DecodedImage(width, height, rgb, ""));                    // (256 N, H)
    }

    @Override
    public Tensor encodeImage(DecodedImage image) {
        return vision.features(preprocess(image));                                       // (256 N, H)
    }

    /** @return (N, 3, 448, 448) the normalised tiles then thumbnail of the original (§3.4), N = its tile count */
    @Override
    public Tensor preprocess(int width, int height, byte[] rgb) {
        return preprocess(new DecodedImage(width, height, rgb, ""));                     // (N, 3, 448, 448)
    }

    /** An image the intake already tiled costs no tiling here (the engine thread's case). */
    @Override
    public Tensor preprocess(DecodedImage image) {
        TiledImage tiled = DynamicTiling.tile(image);
        List<byte[]> tiles = new ArrayList<>();
        for (int k = 0; k < tiled.count(); k++) {
            tiles.add(tiled.tile(k));
        }
        return TilePixels.normalise(tiles, DynamicTiling.TILE_SIZE, weights.placement()); // (N, 3, 448, 448)
    }

    /**
     * @param pixels (N, 3, 448, 448) normalised tiles
     * @return (N, 256, H) each tile's projected features
     */
    @Override
    public Tensor encodePixels(Tensor pixels) {
        return vision.features(pixels).reshape(pixels.size(0), imageTokensPerImage(), -1); // (N, 256, H)
    }

    @Override
    public Tensor forward(ForwardBatch batch) {
        try (Device device = weights.placement().device()) {
            Tensor ids = Ops.longs(toLongs(batch.tokenIds()), device);
            Tensor x = torch.embedding(weights.embedTokens(), ids);                          // (R, H)
            if (batch.imageEmbeddings() != null) {
                x.index_copy_(0, Ops.longs(imageRows(batch), device), batch.imageEmbeddings()); // (R, H)
            }
            return language.forward(batch, x, device);                                        // (N, V)
        }
    }

    /**
     * The prompt-chunk rows whose id is {@code <IMG_CONTEXT>}: the image features replace them, in
     * order (§4). A decode row is a sampled token, embedded as any token even if it is that id.
     */
    private long[] imageRows(ForwardBatch batch) {
        List<Long> rows = new ArrayList<>();
        int row = 0;
        for (ForwardBatch.Sequence s : batch.sequences()) {
            for (int i = row; i < row + s.numRows(); i++) {
                if (s.traversed() && batch.tokenIds()[i] == imageTokenId()) {
                    rows.add((long) i);
                }
            }
            row += s.numRows();
        }
        return rows.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Override
    public KvLayout kvLayout() {
        Phi3Config c = weights.config();
        return new KvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), weights.placement());
    }

    @Override
    public ContiguousKvStore newKvStore(int capacity) {
        rope.checkLength(capacity);
        return new ContiguousKvStore(kvLayout(), capacity);
    }

    @Override
    public int maxPositions() {
        return rope.maxPositions();
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
    public void close() {
        rope.close();
        weights.close();
    }
}
