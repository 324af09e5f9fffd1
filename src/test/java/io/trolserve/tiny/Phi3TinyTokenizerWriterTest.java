package io.trolserve.tiny;

import static io.trolserve.text.TinyTokenizerFixture.byteId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.text.PromptFormat;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TinyTokenizerFixture;
import io.trolserve.text.TrolTokenizer;

class Phi3TinyTokenizerWriterTest {

    /** docs/TROL_3_8B.md §1.5's added tokens in id order, spelled out here rather than taken from the code. */
    private static final List<String> ADDED = List.of("<|endoftext|>", "<|assistant|>", "<|placeholder1|>",
            "<|placeholder2|>", "<|placeholder3|>", "<|placeholder4|>", "<|system|>", "<|end|>", "<|placeholder5|>",
            "<|placeholder6|>", "<|user|>", "<img>", "</img>", "<IMG_CONTEXT>", "<quad>", "</quad>", "<ref>", "</ref>",
            "<box>", "</box>");

    @TempDir
    Path dir;

    @Test
    void writesTheSameBytesEveryTime() throws IOException {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Phi3TinyTokenizerWriter.write(a, 1000);
        Phi3TinyTokenizerWriter.write(b, 1000);

        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    }

    @ParameterizedTest
    @ValueSource(ints = {320, 512, 4096})
    void laysOutThePhi3SpecialTokensAtTheEndInTheirOrder(int v) {
        try (TrolTokenizer tok = TinyTokenizerFixture.loadPhi3(dir, v)) {
            assertThat(tok.format()).isEqualTo(PromptFormat.PHI3_CHAT);
            assertThat(tok.tokenId("<unk>")).hasValue(0);
            assertThat(tok.bosTokenId()).isEqualTo(1);
            assertThat(tok.tokenId("</s>")).hasValue(2);
            assertThat(tok.tokenId("<0x00>")).hasValue(3);
            assertThat(tok.tokenId("<0xFF>")).hasValue(258);
            for (int i = 0; i < ADDED.size(); i++) {
                assertThat(tok.tokenId(ADDED.get(i))).as(ADDED.get(i)).hasValue(v - 20 + i);
                assertThat(tok.encode(ADDED.get(i))).as(ADDED.get(i)).containsExactly(v - 20 + i);
                assertThat(Phi3TinyTokenizerWriter.addedTokenId(v, ADDED.get(i))).isEqualTo(v - 20 + i);
            }
            assertThat(tok.eosTokenId()).isEqualTo(v - 20);
            assertThat(tok.endOfTurnTokenId()).isEqualTo(v - 13);
            assertThat(tok.imageTokenId()).isEqualTo(v - 7);
            assertThat(tok.size()).isEqualTo(v);
        }
    }

    @Test
    void addedTokensAreSpecialUnnormalizedAndStripNothing() throws IOException {
        Path file = dir.resolve("t.json");
        Phi3TinyTokenizerWriter.write(file, 512);
        JsonNode root = new ObjectMapper().readTree(file.toFile());

        assertThat(root.get("added_tokens")).hasSize(23);
        root.get("added_tokens").forEach(t -> {
            assertThat(t.get("special").asBoolean()).as(t.toString()).isTrue();
            assertThat(t.get("normalized").asBoolean()).as(t.toString()).isFalse();
            assertThat(t.get("lstrip").asBoolean() || t.get("rstrip").asBoolean()).as(t.toString()).isFalse();
        });
        assertThat(root.at("/model/vocab")).as("added tokens live outside the BPE vocabulary").hasSize(512 - 20);
        assertThat(root.at("/model/byte_fallback").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {320, 512})
    void anyTextEncodesAndDecodesBackExactly(int v) {
        String[] texts = {
            "", " ", "  two  spaces ", "line\nbreak\ttab\r\n", "café — 東京 🚀", "\nleading newline",
            "naïve Ünïcödé ß ẞ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 👩‍👩‍👧 family", "\u0000\u0001 control",
            "日本語のテキスト、中文文本，한국어 텍스트", PromptTemplate.SYSTEM_PROMPT,
        };
        try (TrolTokenizer tok = TinyTokenizerFixture.loadPhi3(dir, v)) {
            for (String text : texts) {
                assertThat(tok.decode(tok.encode(text))).as("round trip of %s", text).isEqualTo(text);
            }
        }
    }

    @Test
    void everySpanGetsTheMetaspacePrefixAsInALegacyLlamaFile() {
        try (TrolTokenizer tok = TinyTokenizerFixture.loadPhi3(dir, 512)) {
            int[] alone = tok.encode("the");
            int[] afterToken = tok.encode("<|user|>the");

            assertThat(tok.tokenId("▁the")).isPresent();
            assertThat(alone).containsExactly(tok.tokenId("▁the").getAsInt());
            assertThat(afterToken).containsExactly(tok.tokenId("<|user|>").getAsInt(), alone[0]);
        }
    }

    @Test
    void charactersOutsideTheCorpusFallBackToTheirUtf8Bytes() {
        try (TrolTokenizer tok = TinyTokenizerFixture.loadPhi3(dir, 512)) {
            int[] ids = tok.encode("東"); // "▁東": the prefix, then E6 9D B1
            assertThat(Arrays.copyOfRange(ids, ids.length - 3, ids.length))
                    .containsExactly(byteId(0xE6), byteId(0x9D), byteId(0xB1));
            assertThat(tok.decode(ids)).isEqualTo("東");
        }
    }

    @Test
    void learnedPiecesCompressTheSystemPrompt() {
        try (TrolTokenizer tok = TinyTokenizerFixture.loadPhi3(dir, 512)) {
            int[] ids = tok.encode(PromptTemplate.SYSTEM_PROMPT);

            assertThat(ids.length).isLessThan(PromptTemplate.SYSTEM_PROMPT.length() / 2);
            assertThat(Arrays.stream(ids).filter(id -> id <= 258)).as("fallback bytes").isEmpty();
        }
    }

    @Test
    void rejectsAVocabularyTooSmallForTheFixedTokens() {
        assertThatThrownBy(() -> Phi3TinyTokenizerWriter.write(dir.resolve("t.json"), 319))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("319");
        assertThatThrownBy(() -> Phi3TinyTokenizerWriter.addedTokenId(512, "<image>"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
