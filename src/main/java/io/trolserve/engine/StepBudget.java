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
 * nobody is waiting for a next token, and the step takes the full token budget.
 *
 * <p>Prompts always move: the first prompt chunk of a step gets, whatever the decode rows left,
 * the tokens (and the image) that add at most a quarter of the target to the step, and at least
 * {@link #MIN_PROMPT_TOKENS}. Where the decode rows alone exceed the target (a batch too large for
 * it, a machine slower than it was), a stream then waits its decode step plus a quarter of the
 * target, and prompts still advance at a rate the machine sets, not 16 tokens a step.
 */
final class StepBudget {

    /** Prompt progress every step: one KV block's worth at the default block size. */
    static final int MIN_PROMPT_TOKENS = 16;
    /** The share of the target the first prompt chunk of a step may add beyond it. */
    static final int PROGRESS_SHARE_DIVISOR = 4;

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
     * @param images one entry per tile of the images the chunk would have encoded (not in the cache)
     */
    int fit(int start, int wanted, boolean traversed, boolean decode, List<String> images) {
        int n = Math.min(wanted, TraversalRule.tokensFor(maxTokens - tokens, traversed));
        if (n <= 0 || decode || !latencyBound) {
            return Math.max(n, 0);
        }
        StepShape encodes = StepShape.encodes(newImages(images));
        int fits = largestWithin(shape.plus(encodes), start, n, traversed, targetNanos);
        if (promptTokens > 0) {
            return fits;
        }
        long progress = targetNanos / PROGRESS_SHARE_DIVISOR;
        int floor = largestWithin(encodes, start, n, traversed, cost.predictNanos(StepShape.EMPTY) + progress);
        return Math.max(fits, Math.max(floor, Math.min(n, MIN_PROMPT_TOKENS)));
    }

    /** The most of n tokens from start that, added to base, keep the prediction within limit (the prediction grows with the count). */
    private int largestWithin(StepShape base, int start, int n, boolean traversed, long limitNanos) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (cost.predictNanos(base.plus(StepShape.chunk(start, mid, traversed))) <= limitNanos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
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
