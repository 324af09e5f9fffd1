package io.trolserve.engine;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one step may still take while it is being planned: token cost under {@code max-batch-tokens}
 * (the hard cap), and, while any request decodes in it, predicted time under the inter-token target.
 *
 * <p>The decode tokens of the running requests are reserved before anything else is planned: a
 * stream's next token is never traded for a prompt. Prompt chunks (and the images they need
 * encoded) then get what keeps the predicted step within the target. Without decoding requests
 * nobody is waiting for a next token, and the step takes the full token budget. The first prompt
 * chunk of a step gets at least {@link #MIN_PROMPT_TOKENS} tokens (and its image) whatever the
 * prediction, so that prompts move forward even when the decode rows alone fill the target.
 */
final class StepBudget {

    /** Prompt progress every step: one KV block's worth at the default block size. */
    static final int MIN_PROMPT_TOKENS = 16;

    private final int maxTokens;
    private final long targetNanos;
    private final StepCostModel cost;
    private final Set<String> encoding = new HashSet<>();
    private final boolean latencyBound;
    private StepShape shape;
    private int tokens;
    private int promptTokens;

    /**
     * @param reserved    the decode rows of the running requests, planned first
     * @param targetNanos the inter-token target, 0 for none
     */
    StepBudget(int maxTokens, long targetNanos, StepCostModel cost, StepShape reserved) {
        this.maxTokens = maxTokens;
        this.targetNanos = targetNanos;
        this.cost = cost;
        this.shape = reserved;
        this.latencyBound = targetNanos > 0 && reserved.decodes();
    }

    boolean exhausted() {
        return tokens >= maxTokens;
    }

    int tokensUsed() {
        return tokens;
    }

    StepShape shape() {
        return shape;
    }

    long predictedNanos() {
        return cost.predictNanos(shape);
    }

    /**
     * How many of a request's next {@code wanted} tokens fit, 0 if none.
     *
     * @param images content hashes of the images the chunk would have encoded (not in the cache)
     */
    int fit(int start, int wanted, boolean traversed, boolean decode, List<String> images) {
        int n = Math.min(wanted, traversed ? (maxTokens - tokens) / 2 : maxTokens - tokens);
        if (n <= 0 || decode || !latencyBound) {
            return Math.max(n, 0);
        }
        int floor = promptTokens == 0 ? Math.min(n, MIN_PROMPT_TOKENS) : 0;
        StepShape encodes = StepShape.encodes(newImages(images));
        int lo = 0;
        int hi = n;
        while (lo < hi) {   // the largest count within the target; the prediction grows with the count
            int mid = (lo + hi + 1) >>> 1;
            StepShape with = shape.plus(encodes).plus(StepShape.chunk(start, mid, traversed));
            if (cost.predictNanos(with) <= targetNanos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return Math.max(lo, floor);
    }

    /** Counts a planned chunk; a decode chunk was reserved up front and only takes tokens. */
    void take(StepPlan.Chunk c, boolean decode, List<String> images) {
        tokens += c.cost();
        if (!decode) {
            shape = shape.plus(StepShape.of(c)).plus(StepShape.encodes(newImages(images)));
            encoding.addAll(images);
            promptTokens += c.numTokens();
        }
    }

    private int newImages(List<String> images) {
        Set<String> fresh = new HashSet<>(images);
        fresh.removeAll(encoding);
        return fresh.size();
    }
}
