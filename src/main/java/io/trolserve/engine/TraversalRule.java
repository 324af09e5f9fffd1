package io.trolserve.engine;

/**
 * Which tokens are traversed, and what a traversed token costs the engine (TROL_SPEC §5).
 *
 * <p>The official forward traverses only when it is given more than one new token: the whole
 * prompt in one forward (pass 1, pass 2 and the gate in every layer), then one token per step (pass
 * 1 alone). The engine must give the same logits however it chunks the prompt, so every token of
 * a traversed prompt is traversed, even in a chunk of one token; outputs never are, and a prompt of
 * one token is not, since the official forward over it is a single-token one.
 * <pre>
 * tokens:    | prompt of 2+ tokens: traversed, 2 passes | outputs: 1 pass |
 * K/V:       | pass-1 blocks + pass-2 blocks (prefill)  | pass-1 blocks   |
 * </pre>
 * A traversed token runs {@link #TRAVERSED_PASSES} passes through every layer and writes K/V for
 * each, so it costs that many tokens of the step's budget and its prompt holds a block table per
 * pass while it prefills.
 */
final class TraversalRule {

    /** Pass 1 and pass 2 of every layer (the gate then mixes them). */
    static final int TRAVERSED_PASSES = 2;

    private TraversalRule() {
    }

    /** Whether a prompt is traversed at all: only a forward over 2+ new tokens is. */
    static boolean traversesPrompt(int promptLength) {
        return promptLength > 1;
    }

    /** Whether the tokens from position {@code start} on are traversed: they are a traversed prompt's. */
    static boolean traversesFrom(int start, int promptLength) {
        return start < promptLength && traversesPrompt(promptLength);
    }

    /** Passes through every layer, and K/V block tables written, for each token of a chunk. */
    static int passes(boolean traversed) {
        return traversed ? TRAVERSED_PASSES : 1;
    }

    /** What {@code numTokens} tokens take of a step's token budget. */
    static int tokenCost(int numTokens, boolean traversed) {
        return passes(traversed) * numTokens;
    }

    /** The most tokens a budget of {@code cost} pays for. */
    static int tokensFor(int cost, boolean traversed) {
        return cost / passes(traversed);
    }
}
