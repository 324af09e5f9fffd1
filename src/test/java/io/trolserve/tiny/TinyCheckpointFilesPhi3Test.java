package io.trolserve.tiny;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.trolserve.model.Phi3Config;
import io.trolserve.text.Phi3Tokens;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.TrolTokenizer;

/** What {@code init-tiny --variant phi3} writes: a checkpoint whose config and tokenizer agree. */
class TinyCheckpointFilesPhi3Test {

    @TempDir
    Path dir;

    @Test
    void configAndTokenizerAgreeOnTheSpecialTokens() throws IOException {
        Phi3CheckpointSpec spec = Phi3CheckpointSpec.tiny();
        Phi3Config written = TinyCheckpointFiles.writePhi3(dir, spec);

        try (TrolTokenizer tokenizer = TrolTokenizer.load(dir)) {
            assertThat(tokenizer.format()).isEqualTo(PromptFormat.PHI3_CHAT);
            assertThat(written.eosTokenId()).isEqualTo(tokenizer.eosTokenId())
                    .isEqualTo(tokenizer.tokenId(Phi3Tokens.END_OF_TEXT).orElseThrow());
            assertThat(written.bosTokenId()).isEqualTo(tokenizer.bosTokenId());
            assertThat(tokenizer.imageTokenId()).isLessThan(written.vocabSize());
            tokenizer.checkFits(written.vocabSize(), written.eosTokenId());
        }
        assertThat(Phi3Config.read(dir.resolve("config.json"))).isEqualTo(written);
    }
}
