package io.trolserve.engine;

/** A request submitted after shutdown began: the engine did not take it, so its caller still owns it. */
public final class EngineClosedException extends IllegalStateException {

    public EngineClosedException() {
        super("the engine is shutting down");
    }
}
