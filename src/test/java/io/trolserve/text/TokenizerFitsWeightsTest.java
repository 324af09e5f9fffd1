package io.trolserve.text;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tokenizer from another checkpoint is refused before it can feed wrong embedding rows. */
class TokenizerFitsWeightsTest {

    @TempDir
    Path dir;

    @Test
    void matchingVocabularyAndEosPass() {
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir)) {
            assertThatCode(() -> tok.checkFits(TinyTokenizerFixture.VOCAB_SIZE, 2)).doesNotThrowAnyException();
        }
    }

    @Test
    void imageIdThatIsNotTheExtraEmbeddingRow() {
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir)) {
            assertThatThrownBy(() -> tok.checkFits(1024, 2)).isInstanceOf(TokenizerException.class)
                    .hasMessageContaining("tokenizer.json").hasMessageContaining("<image> has id 512")
                    .hasMessageContaining("vocab_size is 1024");
        }
    }

    @Test
    void eosThatDisagreesWithTheConfig() {
        try (TrolTokenizer tok = TinyTokenizerFixture.load(dir)) {
            assertThatThrownBy(() -> tok.checkFits(TinyTokenizerFixture.VOCAB_SIZE, 7))
                    .isInstanceOf(TokenizerException.class).hasMessageContaining("eos_token_id 7");
        }
    }
}
