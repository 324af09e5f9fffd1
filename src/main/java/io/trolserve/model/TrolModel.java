package io.trolserve.model;

import java.nio.file.Path;

import org.bytedeco.pytorch.Tensor;

import io.trolserve.text.PromptFormat;

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

    /** The side of the square an image is decoded to for {@link #encodeImage}. */
    int imageSize();

    /** Why the engine refuses an image question to a model whose {@link #servesImages()} is false. */
    String IMAGES_NOT_SERVED = "image questions to TroL-3.8B are not served yet (issue 12)";

    /**
     * Whether the engine may take image questions for this model. False for TroL-3.8B until the
     * engine handles a token count that varies with the image's tiles (issue 12).
     */
    default boolean servesImages() {
        return true;
    }

    Placement placement();

    /** The chat format the model was trained with; prompts for it are written in this format. */
    PromptFormat promptFormat();

    /** The run of image tokens each {@code <image>} of a prompt expands to. */
    int imageTokensPerImage();

    /**
     * @param rgb interleaved 8-bit RGB, row-major
     * @return (imageTokensPerImage, H) projected features of one image
     */
    Tensor encodeImage(int width, int height, byte[] rgb);

    /**
     * The vision input of one image, for batched encoding with {@link #encodePixels}.
     *
     * @return (1, 3, S, S) normalised pixels
     */
    Tensor preprocess(int width, int height, byte[] rgb);

    /**
     * @param pixels (N, 3, S, S) preprocessed images, concatenated
     * @return (N, imageTokensPerImage, H) projected features
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
