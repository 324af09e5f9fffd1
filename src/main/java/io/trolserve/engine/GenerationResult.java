package io.trolserve.engine;

import java.util.List;

/**
 * The outcome of one request run to completion.
 *
 * @param tokenIds       every generated id in order, the stop token included when one ended it
 * @param promptTokens   prompt length, image tokens included
 * @param tokenNanos     for each token, nanoseconds since the previous one (the first: since the
 *                       run started, i.e. time to first token)
 * @param logits         the float32 logits each token was chosen from, when captured (tests)
 */
public record GenerationResult(int[] tokenIds, FinishReason finishReason, int promptTokens, long visionNanos,
                               long prefillNanos, long[] tokenNanos, List<float[]> logits) {
}
