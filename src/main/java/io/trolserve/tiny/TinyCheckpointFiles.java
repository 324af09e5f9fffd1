package io.trolserve.tiny;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;

import org.jboss.logging.Logger;

import io.trolserve.model.Phi3Config;
import io.trolserve.model.TrolConfig;
import io.trolserve.text.Phi3Tokens;
import io.trolserve.text.TrolTokenizer;

/**
 * A complete tiny checkpoint on disk (weights, gates, config and tokenizer): what {@code init-tiny}
 * writes and what runs when no checkpoint is configured.
 */
public final class TinyCheckpointFiles {

    private static final Logger LOG = Logger.getLogger(TinyCheckpointFiles.class);

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

    /**
     * The default tiny checkpoint in {@code dir}, written on first use. Several processes may start
     * at once: each writes into its own temporary directory and the first rename wins.
     */
    public static Path ensureDefault(Path dir) throws IOException {
        LOG.warnf("no checkpoint configured (trol.model.path / TROL_MODEL_PATH): running a tiny TroL with"
                + " random weights from %s; its answers are meaningless", dir);
        if (Files.exists(dir.resolve(TrolTokenizer.FILE_NAME))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path partial = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".partial-");
        try {
            write(partial, TinyCheckpointSpec.tiny());
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            deleteTree(partial);
        } catch (IOException e) {
            deleteTree(partial);
            if (!Files.exists(dir.resolve(TrolTokenizer.FILE_NAME))) {
                throw e;
            }
        }
        return dir;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
