package io.trolserve.engine;

import java.util.List;

/**
 * What one engine step computes: per request, a chunk of its not-yet-computed tokens. Immutable;
 * the loop is {@code plan -> model step -> update}.
 *
 * @param preempted  requests whose blocks were taken back while planning this step
 * @param tokenCost  budget used, at traversal cost (a prompt token counts 2)
 */
record StepPlan(List<Chunk> chunks, List<Request> preempted, int tokenCost) {

    /**
     * Tokens [start, start + numTokens) of a request.
     *
     * @param traversed prompt tokens: both passes and the gate
     * @param samples   the chunk ends at the request's last token, so its logits give the next token
     */
    record Chunk(Request request, int start, int numTokens, boolean traversed, boolean samples) {

        int end() {
            return start + numTokens;
        }

        int cost() {
            return traversed ? 2 * numTokens : numTokens;
        }
    }

    boolean isEmpty() {
        return chunks.isEmpty();
    }
}
