package io.trolserve.engine;

/**
 * Predicts how long a step of a given shape takes, learning from the steps the engine runs. The
 * scheduler asks it while planning; the engine tells it what each step took.
 */
interface StepCostModel {

    /** A model that knows nothing and predicts nothing: every step fits any target (no target at all). */
    StepCostModel NONE = new StepCostModel() {
        @Override
        public long predictNanos(StepShape shape) {
            return 0;
        }

        @Override
        public void observe(StepShape shape, long nanos) {
        }
    };

    /** Predicted wall time of the step, never negative, and never smaller for a step that does more. */
    long predictNanos(StepShape shape);

    /** A step of this shape took this long, from planning to its tokens streamed. */
    void observe(StepShape shape, long nanos);
}
