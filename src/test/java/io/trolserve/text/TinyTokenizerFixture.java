package io.trolserve.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.trolserve.tiny.Phi3TinyTokenizerWriter;
import io.trolserve.tiny.TinyTokenizerWriter;

/** A tiny InternLM2-style or Phi-3-style tokenizer written into a test's temporary directory and loaded. */
public final class TinyTokenizerFixture {

    /** V: ids 0..V-1 are the text vocabulary, V is &lt;image&gt;. */
    static final int VOCAB_SIZE = 512;

    private TinyTokenizerFixture() {}

    public static TrolTokenizer load(Path dir) {
        return load(dir, VOCAB_SIZE);
    }

    public static TrolTokenizer load(Path dir, int vocabSize) {
        try {
            TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), vocabSize);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return TrolTokenizer.load(dir);
    }

    /** A tiny Phi-3 tokenizer of {@code vocabSize} ids, the last 20 its added tokens. */
    public static TrolTokenizer loadPhi3(Path dir, int vocabSize) {
        try {
            Phi3TinyTokenizerWriter.write(dir.resolve(TrolTokenizer.FILE_NAME), vocabSize);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return TrolTokenizer.load(dir);
    }

    /** The id of byte-fallback token &lt;0xXX&gt; in the tiny layout. */
    public static int byteId(int b) {
        return 3 + b;
    }
}
