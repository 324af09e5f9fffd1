package io.trolserve.tiny;

import java.io.IOException;
import java.nio.file.Path;

import io.trolserve.model.Phi3Config;
import io.trolserve.model.TrolConfig;
import io.trolserve.text.Phi3Tokens;
import io.trolserve.text.TrolTokenizer;

/**
 * A complete tiny checkpoint on disk (weights, gates, config and tokenizer): what {@code init-tiny}
 * writes for tests and benchmarks.
 */
public final class TinyCheckpointFiles {

    private TinyCheckpointFiles() {
    }

    public static TrolConfig write(Path dir, TinyCheckpointSpec spec) throws IOException {
        TrolConfig config = TinyCheckpointWriter.write(dir, spec);
        TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), config.vocabSize());
        return config;
    }

    /**
     * A TroL-3.8B-layout checkpoint (Phi-3 + InternViT) with a Phi-3-style tokenizer. The spec's
     * BOS and EOS ids are set from that tokenizer (EOS is its {@code <|endoftext|>}), so that the
     * config and the tokenizer agree as in the published files.
     */
    public static Phi3Config writePhi3(Path dir, Phi3CheckpointSpec spec) throws IOException {
        int vocab = spec.vocabSize();
        Phi3CheckpointSpec withTokens = spec.toBuilder()
                .tokens(Phi3TinyTokenizerWriter.BOS_ID, Phi3TinyTokenizerWriter.addedTokenId(vocab, Phi3Tokens.END_OF_TEXT))
                .build();
        Phi3Config config = Phi3CheckpointWriter.write(dir, withTokens);
        Phi3TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), vocab);
        return config;
    }
}
