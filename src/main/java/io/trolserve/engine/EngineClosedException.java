package io.trolserve.engine;

/**
 * A request the engine did not take: it is shutting down, or its thread has died. Its caller
 * still owns it (and leaves a Kafka record uncommitted, for this instance after a restart or for
 * another one).
 */
public final class EngineClosedException extends IllegalStateException {

    public EngineClosedException() {
        this("the engine is shutting down");
    }

    public EngineClosedException(String message) {
        super(message);
    }
}
