package io.trolserve.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PromptTemplateTest {

    /** TROL_SPEC §3's S, spelled out here rather than taken from the class under test. */
    private static final String S = "You are AI model created by Byung-Kwan Lee, Ph.D."
            + " candidate, KAIST EE, of which AI model name is TroL (Traversal of Layers)."
            + " You must give helpful, detailed, and polite answers to the user's questions";

    @TempDir
    static Path dir;

    private static TrolTokenizer tok;

    @BeforeAll
    static void load() {
        tok = TinyTokenizerFixture.load(dir);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void withAnImageTheQuestionGetsAnImageLineInFront() {
        assertThat(PromptTemplate.text("What is the troll doing?", true)).isEqualTo(
                "<s>[UNUSED_TOKEN_146]system\n" + S + "[UNUSED_TOKEN_145]\n"
                        + "[UNUSED_TOKEN_146]user\n<image>\nWhat is the troll doing?"
                        + "[UNUSED_TOKEN_145]\n"
                        + "[UNUSED_TOKEN_146]assistant\n");
    }

    @Test
    void withoutAnImageTheQuestionStandsAlone() {
        assertThat(PromptTemplate.text("Tell me a joke.", false)).isEqualTo(
                "<s>[UNUSED_TOKEN_146]system\n" + S + "[UNUSED_TOKEN_145]\n"
                        + "[UNUSED_TOKEN_146]user\nTell me a joke.[UNUSED_TOKEN_145]\n"
                        + "[UNUSED_TOKEN_146]assistant\n");
    }

    @Test
    void aQuestionThatPlacesTheImageItselfIsLeftAsItIs() {
        assertThat(PromptTemplate.text("Look at this: <image> What is it?", true)).isEqualTo(
                "<s>[UNUSED_TOKEN_146]system\n" + S + "[UNUSED_TOKEN_145]\n"
                        + "[UNUSED_TOKEN_146]user\nLook at this: <image> What is it?"
                        + "[UNUSED_TOKEN_145]\n"
                        + "[UNUSED_TOKEN_146]assistant\n");
    }

    @Test
    void moreImageMarkersThanImagesAreRejected() {
        assertThatThrownBy(() -> PromptTemplate.text("<image> and <image>", true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 <image> marker(s) but 1 image(s)");
        assertThatThrownBy(() -> PromptTemplate.text("<image> what?", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 <image> marker(s) but 0 image(s)");
    }

    static Stream<Arguments> questions() {
        return Stream.of(
                Arguments.of("What is the troll doing?", 1225),
                Arguments.of("Look at this:<image>what is it?", 1225),
                Arguments.of("<image>", 1225),
                Arguments.of("Before the image 東京 🚀 <image>\nafter it, café.", 3));
    }

    @ParameterizedTest
    @MethodSource("questions")
    void expandingIdsEqualsTokenizingTheExpandedText(String question, int perImage) {
        PromptTemplate.Prompt prompt = PromptTemplate.encode(tok, question, true, perImage);

        String expandedText = PromptTemplate.expandImageMarkers(prompt.text(), perImage);
        assertThat(prompt.tokenIds()).containsExactly(tok.encode(expandedText));
        assertThat(prompt.numImageTokens()).isEqualTo(perImage);
        assertThat(Arrays.stream(prompt.tokenIds()).filter(id -> id == tok.imageTokenId()).count())
                .isEqualTo(perImage);
        assertThat(tok.decode(prompt.tokenIds())).isEqualTo(expandedText);
    }

    @Test
    void aTextOnlyPromptHasNoImageTokens() {
        PromptTemplate.Prompt prompt = PromptTemplate.encode(tok, "Tell me a joke.", false, 1225);

        assertThat(prompt.numImageTokens()).isZero();
        assertThat(prompt.tokenIds()).containsExactly(tok.encode(prompt.text()));
        assertThat(prompt.tokenIds()[0]).isEqualTo(tok.bosTokenId());
    }

    @Test
    void thePromptEndsByOpeningTheAssistantTurn() {
        int[] ids = PromptTemplate.encode(tok, "Hi", true, 1225).tokenIds();

        int[] tail = tok.encode("[UNUSED_TOKEN_146]assistant\n");
        assertThat(Arrays.copyOfRange(ids, ids.length - tail.length, ids.length))
                .containsExactly(tail);
    }
}
