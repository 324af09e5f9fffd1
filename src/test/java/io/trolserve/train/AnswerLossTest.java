package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class AnswerLossTest {

    private static final int IMAGE = 99;

    private static AnswerLoss.Encoded prompt(int... ids) {
        return new AnswerLoss.Encoded(ids, new int[] {5}, null, 0);
    }

    @Test
    void theSharedPrefixStopsAtTheFirstDifference() {
        assertThat(AnswerLoss.sharedPrefix(List.of(prompt(1, 2, 3, 4, 5), prompt(1, 2, 3, 7, 5)), IMAGE)).isEqualTo(3);
    }

    /** Image rows carry each prompt's own image whatever their ids say. */
    @Test
    void theSharedPrefixStopsBeforeAnImageToken() {
        assertThat(AnswerLoss.sharedPrefix(List.of(prompt(1, 2, IMAGE, IMAGE, 4), prompt(1, 2, IMAGE, IMAGE, 4)), IMAGE))
                .isEqualTo(2);
    }

    /** Every prompt keeps a row of its own: its last row's logits predict its answer. */
    @Test
    void everyPromptKeepsARowOfItsOwn() {
        assertThat(AnswerLoss.sharedPrefix(List.of(prompt(1, 2, 3), prompt(1, 2, 3, 4)), IMAGE)).isEqualTo(2);
        assertThat(AnswerLoss.sharedPrefix(List.of(prompt(1, 2, 3)), IMAGE)).isEqualTo(2);
        assertThat(AnswerLoss.sharedPrefix(List.of(prompt(1), prompt(1)), IMAGE)).isZero();
    }

    @Test
    void targetsAreTheNextAnswerTokenThenTheEndOfTheTurn() {
        AnswerLoss.Encoded a = new AnswerLoss.Encoded(new int[] {1, 2}, new int[] {10, 11, 12}, null, 0);
        AnswerLoss.Encoded b = new AnswerLoss.Encoded(new int[] {1, 3}, new int[] {20}, null, 0);
        assertThat(AnswerLoss.targets(List.of(a, b), 7)).containsExactly(10, 20, 11, 12, 7, 7);
    }
}
