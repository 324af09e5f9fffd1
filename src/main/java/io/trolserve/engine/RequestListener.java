package io.trolserve.engine;

/**
 * Receives a request's tokens and its end. Called on the engine thread, between steps: it must
 * return quickly and never block (hand work to another thread instead).
 */
public interface RequestListener {

    void onToken(TokenOutput token);

    /** Exactly once per submitted request, after its last token. */
    void onFinish(RequestOutput output);
}
