package io.trolserve.engine;

/**
 * Whether the engine thread does its work, as liveness and readiness report it.
 *
 * @param reason why the engine is not {@link Status#ALIVE}; null when it is
 */
public record EngineHealth(Status status, String reason) {

    public enum Status {
        /** Running, and steps finish (or there is nothing to do). */
        ALIVE,
        /** Running, but no step has finished for the stall timeout while work waits. */
        STALLED,
        /** The thread has ended: it failed, or the engine was shut down. */
        DEAD
    }

    static final EngineHealth ALIVE = new EngineHealth(Status.ALIVE, null);

    public boolean ok() {
        return status == Status.ALIVE;
    }
}
