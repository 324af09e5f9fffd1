package io.trolserve.messaging;

import java.util.List;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.SamplingParams;
import io.trolserve.messaging.contract.InlineImage;
import io.trolserve.messaging.contract.RequestParams;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.messaging.contract.UrlImage;
import io.trolserve.model.TrolModel;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecodeException;
import io.trolserve.vision.ImageDecoder;
import io.trolserve.vision.ImageFetchException;
import io.trolserve.vision.ImageFetcher;

/**
 * From a parsed {@code trol.requests} record to what the engine takes: the image fetched and
 * decoded, the prompt built and tokenized. Runs on the caller's thread (CPU work, no tensors), so
 * the engine thread only ever sees requests that can run.
 */
public final class RequestPreparation {

    /** Either a request ready for the engine or the reason it cannot be. */
    public sealed interface Outcome permits Prepared, Rejected {
    }

    public record Prepared(EngineRequest request) implements Outcome {
    }

    /** @param code the wire error code ({@code corrupt-image}, {@code url-not-allowed}, ...) */
    public record Rejected(String id, String code, String message) implements Outcome {
    }

    private final TrolTokenizer tokenizer;
    private final PromptFormat promptFormat;
    private final int imageTokensPerImage;
    private final ImageFetcher fetcher;
    private final DecodeLimits decodeLimits;
    private final int imageSize;
    private final boolean servesImages;

    /** The dead-letter code of an image request to a model that does not take images (TroL-3.8B, for now). */
    public static final String IMAGES_NOT_SERVED = "images-not-served";

    /**
     * @param promptFormat the model's chat format
     * @param imageSize    the model's input side: images are decoded straight to imageSize square
     */
    public RequestPreparation(TrolTokenizer tokenizer, PromptFormat promptFormat, int imageTokensPerImage,
                              ImageFetcher fetcher, DecodeLimits decodeLimits, int imageSize) {
        this(tokenizer, promptFormat, imageTokensPerImage, fetcher, decodeLimits, imageSize, true);
    }

    /** @param servesImages false refuses every image request ({@link #IMAGES_NOT_SERVED}) before fetching it */
    public RequestPreparation(TrolTokenizer tokenizer, PromptFormat promptFormat, int imageTokensPerImage,
                              ImageFetcher fetcher, DecodeLimits decodeLimits, int imageSize, boolean servesImages) {
        this.servesImages = servesImages;
        this.tokenizer = tokenizer;
        this.promptFormat = promptFormat;
        this.imageTokensPerImage = imageTokensPerImage;
        this.fetcher = fetcher;
        this.decodeLimits = decodeLimits;
        this.imageSize = imageSize;
    }

    public Outcome prepare(TrolRequest r) {
        if (r.image() != null && !servesImages) {
            return new Rejected(r.id(), IMAGES_NOT_SERVED, TrolModel.IMAGES_NOT_SERVED);
        }
        List<DecodedImage> images;
        try {
            images = r.image() == null ? List.of() : List.of(decode(r));
        } catch (ImageFetchException e) {
            return new Rejected(r.id(), e.code(), e.getMessage());
        } catch (ImageDecodeException e) {
            return new Rejected(r.id(), wireName(e.code()), e.getMessage());
        }
        PromptTemplate.Prompt prompt;
        try {
            prompt = promptFormat.encode(tokenizer, r.question(), !images.isEmpty(), imageTokensPerImage);
        } catch (IllegalArgumentException e) {
            return new Rejected(r.id(), "invalid-prompt", e.getMessage());
        }
        return new Prepared(new EngineRequest(r.id(), prompt.tokenIds(), images, sampling(r.params()), r.deadline(),
                false));
    }

    private DecodedImage decode(TrolRequest r) {
        byte[] bytes = r.image() instanceof UrlImage url ? fetcher.fetch(url.url()) : ((InlineImage) r.image()).data();
        return ImageDecoder.decode(bytes, decodeLimits, imageSize);
    }

    static SamplingParams sampling(RequestParams p) {
        return new SamplingParams(p.maxNewTokens(), p.temperature(), p.topP(), p.topK(), p.seed(), p.stop());
    }

    private static String wireName(ImageDecodeException.Code code) {
        return code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
