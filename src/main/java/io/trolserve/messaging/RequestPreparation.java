package io.trolserve.messaging;

import java.util.List;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.SamplingParams;
import io.trolserve.messaging.contract.InlineImage;
import io.trolserve.messaging.contract.RequestParams;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.messaging.contract.UrlImage;
import io.trolserve.model.ImagePolicy;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecodeException;
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
    private final ImagePolicy imagePolicy;
    private final ImageFetcher fetcher;
    private final DecodeLimits decodeLimits;

    /**
     * For a model that takes every image as one square.
     *
     * @param promptFormat the model's chat format
     * @param imageSize    the model's input side: images are decoded straight to imageSize square
     */
    public RequestPreparation(TrolTokenizer tokenizer, PromptFormat promptFormat, int imageTokensPerImage,
                              ImageFetcher fetcher, DecodeLimits decodeLimits, int imageSize) {
        this(tokenizer, promptFormat, new ImagePolicy.Square(imageSize, imageTokensPerImage), fetcher, decodeLimits);
    }

    /**
     * @param promptFormat the model's chat format
     * @param imagePolicy  the model's: how an image is decoded (a square, or its own size for a
     *                     tiling model) and how many image tokens the decoded image gives
     */
    public RequestPreparation(TrolTokenizer tokenizer, PromptFormat promptFormat, ImagePolicy imagePolicy,
                              ImageFetcher fetcher, DecodeLimits decodeLimits) {
        this.tokenizer = tokenizer;
        this.promptFormat = promptFormat;
        this.imagePolicy = imagePolicy;
        this.fetcher = fetcher;
        this.decodeLimits = decodeLimits;
    }

    public Outcome prepare(TrolRequest r) {
        DecodedImage image;
        try {
            image = r.image() == null ? null : decode(r);
        } catch (ImageFetchException e) {
            return new Rejected(r.id(), e.code(), e.getMessage());
        } catch (ImageDecodeException e) {
            return new Rejected(r.id(), wireName(e.code()), e.getMessage());
        }
        PromptTemplate.Prompt prompt;
        try {
            // one image per request: its own run length (TroL-3.8B: 256 per tile of its tiling)
            int imageTokens = image == null ? imagePolicy.tokensPerTile() : imagePolicy.tokens(image);
            prompt = promptFormat.encode(tokenizer, r.question(), image != null, imageTokens);
        } catch (IllegalArgumentException e) {
            return new Rejected(r.id(), "invalid-prompt", e.getMessage());
        }
        List<DecodedImage> images = image == null ? List.of() : List.of(image);
        return new Prepared(new EngineRequest(r.id(), prompt.tokenIds(), images, sampling(r.params()), r.deadline(),
                false));
    }

    private DecodedImage decode(TrolRequest r) {
        byte[] bytes = r.image() instanceof UrlImage url ? fetcher.fetch(url.url()) : ((InlineImage) r.image()).data();
        return imagePolicy.decode(bytes, decodeLimits);
    }

    static SamplingParams sampling(RequestParams p) {
        return new SamplingParams(p.maxNewTokens(), p.temperature(), p.topP(), p.topK(), p.seed(), p.stop());
    }

    private static String wireName(ImageDecodeException.Code code) {
        return code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
