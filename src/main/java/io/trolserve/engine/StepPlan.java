package io.trolserve.engine;

import java.util.List;
import java.util.function.Predicate;

/**
 * What one engine step computes: per request, a chunk of its not-yet-computed tokens. Immutable;
 * the loop is {@code plan -> model step -> update}.
 *
 * @param preempted  requests whose blocks were taken back while planning this step
 * @param tokenCost  budget used, at traversal cost ({@link TraversalRule#tokenCost})
 * @param predictedNanos what the step cost model expected the step to take when it was planned
 */
record StepPlan(List<Chunk> chunks, List<Request> preempted, int tokenCost, long predictedNanos) {

    /**
     * Tokens [start, start + numTokens) of a request.
     *
     * @param traversed prompt tokens: both passes and the gate ({@link TraversalRule})
     * @param samples   the chunk ends at the request's last token, so its logits give the next token
     */
    record Chunk(Request request, int start, int numTokens, boolean traversed, boolean samples) {

        int end() {
            return start + numTokens;
        }

        int cost() {
            return TraversalRule.tokenCost(numTokens, traversed);
        }
    }

    /** A plan of some of a step's chunks (a retry of part of it): nothing preempted, the cost of those chunks, no prediction. */
    static StepPlan of(List<Chunk> chunks) {
        return new StepPlan(List.copyOf(chunks), List.of(), chunks.stream().mapToInt(Chunk::cost).sum(), 0);
    }

    /** The chunks of the requests that pass the test, in order. */
    StepPlan keeping(Predicate<Request> test) {
        return of(chunks.stream().filter(c -> test.test(c.request())).toList());
    }

    /** The work the plan computes, without image encodes (the engine counts those as they happen). */
    StepShape shape() {
        StepShape shape = StepShape.EMPTY;
        for (Chunk c : chunks) {
            shape = shape.plus(StepShape.of(c));
        }
        return shape;
    }

    boolean isEmpty() {
        return chunks.isEmpty();
    }
}
