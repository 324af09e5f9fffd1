package io.trolserve.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.tiny.Phi3TinyTokenizerWriter;

class Phi3PromptTemplateTest {

    private static final int V = 512;
    /** docs/TROL_3_8B.md §6's S, spelled out here rather than taken from the class under test. */
    private static final String S = "You are AI model created by Byung-Kwan Lee, Ph.D."
            + " candidate, KAIST EE, of which AI model name is TroL (Traversal of Layers)."
            + " You must give helpful, detailed, and polite answers to the user's questions";
    private static final String HEAD = "<s><|system|>\n" + S + "<|end|>\n<|user|>\n";
    private static final String TAIL = "<|end|>\n<|assistant|>\n";

    @TempDir
    static Path dir;

    @TempDir
    Path own;

    private static TrolTokenizer tok;

    @BeforeAll
    static void load() {
        tok = TinyTokenizerFixture.loadPhi3(dir, V);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void withAnImageTheQuestionGetsAnImageBlockInFront() {
        assertThat(Phi3PromptTemplate.text("What is the troll doing?", true)).isEqualTo(
                HEAD + "<img><IMG_CONTEXT></img>\nWhat is the troll doing?" + TAIL);
    }

    @Test
    void withoutAnImageTheQuestionStandsAloneAndImageIsText() {
        assertThat(Phi3PromptTemplate.text("Tell me a joke.", false)).isEqualTo(HEAD + "Tell me a joke." + TAIL);
        assertThat(Phi3PromptTemplate.text("What is <image>?", false)).isEqualTo(HEAD + "What is <image>?" + TAIL);
    }

    @Test
    void aQuestionThatPlacesTheImageItselfGetsTheBlockThere() {
        assertThat(Phi3PromptTemplate.text("Look at this: <image> What is it?", true)).isEqualTo(
                HEAD + "Look at this: <img><IMG_CONTEXT></img> What is it?" + TAIL);
    }

    @Test
    void twoImageMarkersForOneImageAreRejected() {
        assertThatThrownBy(() -> Phi3PromptTemplate.text("<image> and <image>", true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 <image> markers but one image");
    }

    static Stream<Arguments> questions() {
        return Stream.of(
                Arguments.of("What is the troll doing?", 256),
                Arguments.of("Look at this:<image>what is it?", 256 * 7),
                Arguments.of("<image>", 256),
                Arguments.of("Before the image 東京 🚀 <image>\nafter it, café.", 3),
                Arguments.of("  spaced\n\nlines  ", 1));
    }

    @ParameterizedTest
    @MethodSource("questions")
    void expandingIdsEqualsTokenizingTheOfficialExpandedString(String question, int perImage) {
        PromptTemplate.Prompt prompt = PromptFormat.PHI3_CHAT.encode(tok, question, true, perImage);

        String official = Phi3PromptTemplate.expandImageContext(prompt.text(), perImage);
        assertThat(prompt.tokenIds()).containsExactly(tok.encode(official));
        assertThat(prompt.numImageTokens()).isEqualTo(perImage);
        assertThat(Arrays.stream(prompt.tokenIds()).filter(id -> id == tok.imageTokenId()).count()).isEqualTo(perImage);
        assertThat(prompt.tokenIds()[0]).isEqualTo(tok.bosTokenId());
        assertThat(Arrays.stream(prompt.tokenIds()).filter(id -> id == 1).count()).as("one BOS").isEqualTo(1);
    }

    @Test
    void aTextOnlyPromptHasNoImageTokensAndEndsByOpeningTheAssistantTurn() {
        PromptTemplate.Prompt prompt = PromptFormat.PHI3_CHAT.encode(tok, "Tell me a joke <image>.", false, 256);

        assertThat(prompt.numImageTokens()).isZero();
        assertThat(prompt.tokenIds()).containsExactly(tok.encode(prompt.text()));
        assertThat(prompt.tokenIds()).doesNotContain(tok.imageTokenId(), V - 9, V - 8); // nor <img>, </img>
        int[] tail = tok.encode(TAIL);
        int[] ids = prompt.tokenIds();
        assertThat(Arrays.copyOfRange(ids, ids.length - tail.length, ids.length)).containsExactly(tail);
    }

    @Test
    void generationStopsAtEndOfTurnOrEndOfText() {
        // the engine stops on tokenizer.eosTokenId() and tokenizer.endOfTurnTokenId() (EngineCore, PlainGenerator)
        assertThat(tok.endOfTurnTokenId()).isEqualTo(tok.encode("<|end|>")[0]);
        assertThat(tok.eosTokenId()).isEqualTo(tok.encode("<|endoftext|>")[0]);
    }

    @Test
    void aPromptFormatRefusesATokenizerOfTheOtherFormat() {
        try (TrolTokenizer internLm2 = TinyTokenizerFixture.load(own)) {
            assertThatThrownBy(() -> PromptFormat.PHI3_CHAT.encode(internLm2, "Hi", true, 256))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INTERNLM2_CHAT");
            assertThatThrownBy(() -> PromptFormat.INTERNLM2_CHAT.encode(tok, "Hi", true, 1225))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PHI3_CHAT");
        }
    }

    @Test
    void aPhi3TokenizerWithoutTheImageContextTokenIsRefusedNamingTheFile() throws Exception {
        Path file = own.resolve(TrolTokenizer.FILE_NAME);
        Phi3TinyTokenizerWriter.write(file, V);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(file.toFile());
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        for (int i = 0; i < added.size(); i++) {
            if (added.get(i).get("content").asText().equals("<IMG_CONTEXT>")) {
                added.remove(i);
            }
        }
        json.writeValue(file.toFile(), root);

        assertThatThrownBy(() -> TrolTokenizer.load(own))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("<IMG_CONTEXT>");
        assertThat(Files.exists(file)).isTrue();
    }

    @Test
    void fitsWeightsWhoseRowsHoldEveryIdAndWhoseEosIsEndOfText() {
        tok.checkFits(V, V - 20);
        tok.checkFits(V + 44, V - 20); // Phi-3's 32064 rows for 32020 ids
        assertThatThrownBy(() -> tok.checkFits(V - 1, V - 20)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("more than the " + (V - 1) + " embedding rows");
        assertThatThrownBy(() -> tok.checkFits(V, 2)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("<|endoftext|> has id " + (V - 20)).hasMessageContaining("eos_token_id 2");
    }
}
