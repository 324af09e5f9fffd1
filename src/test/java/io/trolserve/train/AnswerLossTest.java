package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.text.TrolTokenizer;

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

    /** Questions about one picture share their start through the image rows, up to where they part. */
    @Test
    void theCommonStartRunsToTheFirstDifferenceAndLeavesEachARow() {
        assertThat(AnswerLoss.commonStart(List.of(prompt(1, IMAGE, IMAGE, 4, 5), prompt(1, IMAGE, IMAGE, 4, 6)))).isEqualTo(4);
        assertThat(AnswerLoss.commonStart(List.of(prompt(1, IMAGE, 3), prompt(1, IMAGE, 3)))).isEqualTo(2);
    }

    /** Examples about the same scene object share one picture; equal-looking scenes do not. */
    @Test
    void questionsAboutOneSceneShareItsPicture(@TempDir Path dir) throws Exception {
        DemoModel.writeTokenizer(dir);
        try (TrolTokenizer tokenizer = TrolTokenizer.load(dir)) {
            Scene scene = DemoModel.demoScene();
            Scene lookalike = DemoModel.demoScene();
            List<AnswerLoss.Encoded> encoded = AnswerLoss.encode(DemoModel.config(), tokenizer, List.of(
                    new Example(QuestionKind.COLOUR, scene, "What colour is the shape?", "The shape is yellow."),
                    new Example(QuestionKind.SHAPE, scene, "What shape is this?", "It is a star."),
                    new Example(QuestionKind.SHAPE, lookalike, "What shape is this?", "It is a star."),
                    new Example(QuestionKind.TEXT_ONLY, null, "How many points does a star have?", "A star has five points.")));
            assertThat(encoded.get(1).picture()).isSameAs(encoded.get(0).picture());
            assertThat(encoded.get(2).picture()).isNotSameAs(encoded.get(0).picture());
            assertThat(encoded.get(3).picture()).isNull();
            assertThat(AnswerLoss.pictures(encoded)).hasSize(2);
            assertThat(encoded.get(0).picture().scene().total()).isEqualTo(1);
        }
    }

    @Test
    void targetsAreTheNextAnswerTokenThenTheEndOfTheTurn() {
        AnswerLoss.Encoded a = new AnswerLoss.Encoded(new int[] {1, 2}, new int[] {10, 11, 12}, null, 0);
        AnswerLoss.Encoded b = new AnswerLoss.Encoded(new int[] {1, 3}, new int[] {20}, null, 0);
        assertThat(AnswerLoss.targets(List.of(a, b), 7)).containsExactly(10, 20, 11, 12, 7, 7);
    }
}
