package io.trolserve.train;

import java.util.Objects;

/**
 * One training or evaluation example: the user's question (without the chat template), the exact
 * answer sentence expected, and the scene the question is about ({@code null} for
 * {@link QuestionKind#TEXT_ONLY}).
 */
public record Example(QuestionKind kind, Scene scene, String question, String answer) {

    public Example {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        if ((scene == null) != (kind == QuestionKind.TEXT_ONLY)) {
            throw new IllegalArgumentException(kind + " example " + (scene == null ? "without" : "with") + " a scene");
        }
    }
}
