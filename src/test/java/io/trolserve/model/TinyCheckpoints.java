package io.trolserve.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.trolserve.text.TrolTokenizer;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.tiny.TinyCheckpointWriter;
import io.trolserve.tiny.TinyTokenizerWriter;

/** Checkpoints (weights, gates, tokenizer) written by the real {@code init-tiny} code, once per spec per test JVM. */
public final class TinyCheckpoints {

    private static final Map<TinyCheckpointSpec, Path> WRITTEN = new ConcurrentHashMap<>();
    private static Path root;

    private TinyCheckpoints() {
    }

    public static synchronized Path of(TinyCheckpointSpec spec) {
        return WRITTEN.computeIfAbsent(spec, s -> {
            try {
                if (root == null) {
                    root = Files.createTempDirectory("trol-tiny-");
                    root.toFile().deleteOnExit();
                }
                Path dir = root.resolve("ckpt-" + WRITTEN.size());
                TrolConfig config = TinyCheckpointWriter.write(dir, s);
                TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), config.vocabSize());
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
