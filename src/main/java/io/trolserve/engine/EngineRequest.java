package io.trolserve.engine;

import java.time.Instant;
import java.util.List;

import io.trolserve.vision.DecodedImage;

/**
 * One request as the engine takes it: the prompt already tokenized (image markers expanded to
 * the image-token id), its decoded images in order, how to sample, and an optional deadline.
 *
 * @param captureLogits keep the logits every token was drawn from (tests compare them)
 */
public record EngineRequest(String id, int[] promptIds, List<DecodedImage> images, SamplingParams params,
                            Instant deadline, boolean captureLogits) {

    public EngineRequest {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a request needs an id");
        }
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("request " + id + " has an empty prompt");
        }
        images = images == null ? List.of() : List.copyOf(images);
    }

    /** The same request ending at {@code deadline} (null: none). */
    public EngineRequest withDeadline(Instant deadline) {
        return new EngineRequest(id, promptIds, images, params, deadline, captureLogits);
    }

    /** The same request keeping the logits every token is drawn from. */
    public EngineRequest capturingLogits() {
        return new EngineRequest(id, promptIds, images, params, deadline, true);
    }

    public static EngineRequest of(String id, int[] promptIds, List<DecodedImage> images, SamplingParams params) {
        return new EngineRequest(id, promptIds, images, params, null, false);
    }
}
