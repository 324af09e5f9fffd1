package io.trolserve.engine;

/**
 * What one step did, for benchmarks and timing.
 *
 * @param sequences requests in the step's batch
 * @param prefillSequences requests among them computing prompt tokens (traversed)
 * @param tokens    token rows computed
 * @param sampled   tokens generated
 * @param decodeOnly every chunk was a single decode token
 * @param stepNanos  the whole step: planning, image encodes, forward, sampling, streaming
 * @param forwardNanos time in the model forward, logits copied to the host included
 * @param predictedNanos what the step cost model expected when the step was planned
 * @param promptTokens   traversed prompt tokens among the rows
 * @param visionEncodes  images the vision tower encoded in the step
 */
public record StepReport(int sequences, int prefillSequences, int tokens, int sampled, boolean decodeOnly, long stepNanos,
                         long forwardNanos, long predictedNanos, int promptTokens, int visionEncodes) {

    public static final StepReport IDLE = new StepReport(0, 0, 0, 0, false, 0, 0, 0, 0, 0);

    public boolean idle() {
        return sequences == 0;
    }

    /** Prompt chunks and other requests' tokens in one step: what continuous batching is for. */
    public boolean mixed() {
        return prefillSequences > 0 && prefillSequences < sequences;
    }
}
