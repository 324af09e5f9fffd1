package io.trolserve.model;

import java.nio.file.Path;

import org.bytedeco.pytorch.Tensor;

import io.trolserve.text.PromptFormat;
import io.trolserve.vision.DecodedImage;

/**
 * A loaded TroL model, whatever its architecture: what the engine, the plain generator and the
 * tools need of it. {@link InternLm2Trol} (TroL-1.8B and 7B) is one implementation; a variant with
 * another language model or vision tower (TroL-3.8B: Phi-3 with InternViT) is another, behind the
 * same calls, so the engine's batching, paging and prefix cache serve it unchanged.
 *
 * <p>Threading and memory: call every method from one thread (the engine's), inside an
 * {@code InferenceMode} guard and a {@code PointerScope} that the caller closes after each step;
 * returned tensors belong to that scope. What the model owns is freed by {@link #close()}.
 */
public interface TrolModel extends AutoCloseable {

    /** Loads the checkpoint in {@code checkpointDir}, the variant its config.json names. */
    static TrolModel load(Path checkpointDir, Placement placement) {
        return Phi3CheckpointLoader.isPhi3(checkpointDir)
                ? Phi3Trol.load(checkpointDir, placement)
                : InternLm2Trol.load(checkpointDir, placement);
    }

    /** The language model's sizes and special token ids. */
    LanguageConfig config();

    /** The id whose prompt rows carry image features: {@code <image>} (V) or {@code <IMG_CONTEXT>}. */
    int imageTokenId();

    /** The side of the square the vision tower takes: the whole image, or one tile of it. */
    int imageSize();

    /** How the serving path decodes an image for this model and how many prompt tokens it gives. */
    ImagePolicy imagePolicy();

    Placement placement();

    /** The chat format the model was trained with; prompts for it are written in this format. */
    PromptFormat promptFormat();

    /**
     * Image tokens of one vision-tower tile: the whole image's run for TroL-1.8B/7B, a 448 px tile's
     * for TroL-3.8B, whose image's run is this times its tile count ({@link #imagePolicy()}).
     */
    int imageTokensPerImage();

    /**
     * @param rgb interleaved 8-bit RGB, row-major, as {@link #imagePolicy()} decodes it
     * @return (imagePolicy.tokens(width, height), H) projected features of one image
     */
    Tensor encodeImage(int width, int height, byte[] rgb);

    /** {@link #encodeImage(int, int, byte[])} of an image as the serving path holds it (tiled, for a tiling model). */
    default Tensor encodeImage(DecodedImage image) {
        return encodeImage(image.width(), image.height(), image.rgb());
    }

    /**
     * The vision input of one image, for batched encoding with {@link #encodePixels}.
     *
     * @return (tiles, 3, S, S) normalised pixels, tiles = imagePolicy.tiles(width, height)
     */
    Tensor preprocess(int width, int height, byte[] rgb);

    /** {@link #preprocess(int, int, byte[])} of an image as the serving path holds it (tiled, for a tiling model). */
    default Tensor preprocess(DecodedImage image) {
        return preprocess(image.width(), image.height(), image.rgb());
    }

    /**
     * @param pixels (N, 3, S, S) preprocessed tiles of one or more images, concatenated
     * @return (N, imageTokensPerImage, H) projected features of each tile
     */
    Tensor encodePixels(Tensor pixels);

    /**
     * One step of the traversed language model over a flattened batch of sequences, reading and
     * writing each sequence's K/V through its stores.
     *
     * @return (logitRows, V) float32 next-token logits of the requested rows
     */
    Tensor forward(ForwardBatch batch);

    /** The shape of one position's K/V: what the engine's paged pool is made of. */
    KvLayout kvLayout();

    /** A K/V buffer for one sequence of up to {@code capacity} positions; the caller closes it. */
    ContiguousKvStore newKvStore(int capacity);

    /** The most positions a sequence may have. */
    int maxPositions();

    /** Bytes of the loaded weights (the part of a memory budget that the model itself takes). */
    long weightBytes();

    /** Weight bytes one decode step reads: the numerator of the bandwidth floor. */
    long decodeStepBytes();

    @Override
    void close();
}
