package io.trolserve.engine;

/**
 * The work of one step, in the units its cost grows with: rows of tokens computed once (decode,
 * and outputs recomputed after a preemption), rows of prompt tokens computed twice (traversal),
 * keys that attention reads (summed over rows and passes), and image tiles the vision tower
 * encodes (one per image for TroL-1.8B/7B, 1 to 7 for TroL-3.8B).
 * Tensor-free: the scheduler builds one while planning, the engine the one that actually ran.
 *
 * @param decodeRows     tokens of chunks that are not traversed: one pass each
 * @param traversedRows  prompt tokens: two passes and the gate each
 * @param attentionKeys  sum over rows and passes of the keys each row attends to
 * @param visionEncodes  image tiles encoded in the step (of cache misses)
 */
record StepShape(int decodeRows, int traversedRows, long attentionKeys, int visionEncodes) {

    static final StepShape EMPTY = new StepShape(0, 0, 0, 0);

    /** The rows of tokens [start, start + numTokens) of one sequence; a traversed chunk is attended twice. */
    static StepShape chunk(int start, int numTokens, boolean traversed) {
        long keys = (long) numTokens * start + (long) numTokens * (numTokens + 1) / 2;   // token p sees p + 1 keys
        long passKeys = TraversalRule.passes(traversed) * keys;
        return traversed ? new StepShape(0, numTokens, passKeys, 0) : new StepShape(numTokens, 0, passKeys, 0);
    }

    static StepShape of(StepPlan.Chunk c) {
        return chunk(c.start(), c.numTokens(), c.traversed());
    }

    static StepShape encodes(int images) {
        return new StepShape(0, 0, 0, images);
    }

    StepShape plus(StepShape o) {
        return new StepShape(decodeRows + o.decodeRows, traversedRows + o.traversedRows, attentionKeys + o.attentionKeys,
                visionEncodes + o.visionEncodes);
    }

    boolean decodes() {
        return decodeRows > 0;
    }

    /** The regressors of the cost model, fixed part first; keys in thousands to keep the columns alike in size. */
    double[] features() {
        return new double[] {1, decodeRows, traversedRows, attentionKeys / 1000.0, visionEncodes};
    }
}
