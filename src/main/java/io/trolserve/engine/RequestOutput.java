package io.trolserve.engine;

import java.util.List;

/**
 * A finished request.
 *
 * @param tokenIds every generated id, the stop token included when one ended generation
 * @param text     the answer: text before the stop token, cut at a stop string, trimmed
 * @param error    why it failed, when finishReason is ERROR; else null
 * @param logits   per token, the logits it was drawn from, when the request asked for them
 */
public record RequestOutput(String requestId, int[] tokenIds, String text, FinishReason finishReason, String error,
                            int promptTokens, int imageTokens, RequestTimings timings, List<float[]> logits) {

    public int completionTokens() {
        return tokenIds.length;
    }

    /**
     * Milliseconds: queue (submitted to first scheduled), vision (encoding its images, 0 on a
     * cache hit), prefill (first scheduled to first token), ttft (submitted to first token; null
     * without tokens), e2e (submitted to finished), mean inter-token latency (null below 2 tokens).
     */
    public record RequestTimings(double queueMs, double visionMs, double prefillMs, Double ttftMs, double e2eMs,
                                 Double meanItlMs) {
    }
}
