package io.trolserve.engine;

/** Where a request is in its life; transitions happen only on the engine thread. */
enum RequestState {
    /** Admitted to the engine, holding no KV blocks. */
    WAITING,
    /** Holding KV blocks and scheduled every step until it finishes or is preempted. */
    RUNNING,
    /** Blocks taken back to make room; waits at the front and is recomputed when readmitted. */
    PREEMPTED,
    FINISHED
}
