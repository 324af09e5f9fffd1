package io.trolserve.messaging;

import io.trolserve.engine.EngineClosedException;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.RequestListener;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.messaging.contract.TrolRequest;

/**
 * What intake needs from the serving side: parse, prepare, submit. Messaging owns this port and the
 * service implements it, so imports run one way (service to messaging), and {@link IntakeCore} is
 * tested with a fake.
 */
public interface ServingPort {

    RequestParser parser();

    /** Fetches and decodes the image and tokenizes the prompt (CPU work on the caller's thread). */
    RequestPreparation.Outcome prepare(TrolRequest request);

    /**
     * Hands a prepared request to the engine; its listener hears its tokens and its end.
     *
     * @throws EngineClosedException when the engine takes no more work (stopping, or dead)
     */
    void submit(EngineRequest request, RequestListener listener);

    /** The model name answers carry, null until the model is loaded; analytics' /v1/stats defaults to it. */
    String modelName();

    /**
     * Whether the engine is going away (shutdown, or its thread died): a request it cancels then is
     * left uncommitted for the partition's next owner, never answered as cancelled.
     */
    boolean stopping();
}
