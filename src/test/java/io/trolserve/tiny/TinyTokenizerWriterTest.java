package io.trolserve.tiny;

import static io.trolserve.text.TinyTokenizerFixture.byteId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TinyTokenizerFixture;
import io.trolserve.text.TrolTokenizer;

class TinyTokenizerWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesTheSameBytesEveryTime() throws IOException {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        TinyTokenizerWriter.write(a, 1000);
        TinyTokenizerWriter.write(b, 1000);

        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    }

    @ParameterizedTest
    @ValueSource(ints = {300, 512, 4096})
    void laysOutTheInternLm2SpecialTokens(int v) {
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir, v)) {
            assertThat(tok.tokenId("<unk>")).hasValue(0);
            assertThat(tok.bosTokenId()).isEqualTo(1);
            assertThat(tok.eosTokenId()).isEqualTo(2);
            assertThat(tok.tokenId("<0x00>")).hasValue(3);
            assertThat(tok.tokenId("<0xE2>")).hasValue(3 + 0xE2);
            assertThat(tok.tokenId("<0xFF>")).hasValue(258);
            assertThat(tok.endOfTurnTokenId()).isEqualTo(v - 2);
            assertThat(tok.startOfTurnTokenId()).isEqualTo(v - 1);
            assertThat(tok.imageTokenId()).isEqualTo(v);
            assertThat(tok.size()).isEqualTo(v + 1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {300, 512})
    void anyTextEncodesAndDecodesBackExactly(int v) {
        String[] texts = {
            "", " ", "  two  spaces ", "line\nbreak\ttab\r\n", "café — 東京 🚀",
            "naïve Ünïcödé ß ẞ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 👩‍👩‍👧 family", "\u0000\u0001 control",
            "日本語のテキスト、中文文本，한국어 텍스트", PromptTemplate.SYSTEM_PROMPT,
        };
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir, v)) {
            for (String text : texts) {
                assertThat(tok.decode(tok.encode(text))).as("round trip of %s", text)
                        .isEqualTo(text);
            }
        }
    }

    @Test
    void charactersOutsideTheCorpusFallBackToTheirUtf8Bytes() {
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir)) {
            // 東 is E6 9D B1 in UTF-8
            assertThat(tok.encode("東")).containsExactly(byteId(0xE6), byteId(0x9D), byteId(0xB1));
        }
    }

    @Test
    void learnedPiecesCompressTheSystemPrompt() {
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir)) {
            int[] ids = tok.encode(PromptTemplate.SYSTEM_PROMPT);

            assertThat(ids.length).isLessThan(PromptTemplate.SYSTEM_PROMPT.length() / 2);
            assertThat(Arrays.stream(ids).filter(id -> id <= 258)).as("fallback bytes").isEmpty();
        }
    }

    @Test
    void rejectsAVocabularyTooSmallForTheFixedTokens() {
        assertThatThrownBy(() -> TinyTokenizerWriter.write(dir.resolve("t.json"), 299))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("299");
    }
}
