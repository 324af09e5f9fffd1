package io.trolserve.text;

import java.nio.file.Path;

/**
 * A checkpoint's tokenizer that cannot be used as it is: tokenizer.json missing, unreadable or
 * contradicting config.json, a control token it lacks. Its own type, not the model's
 * CheckpointException, so that {@code text} depends on nothing of {@code model}; the message
 * always names the file, so that an operator can act on it.
 */
public class TokenizerException extends RuntimeException {

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }

    public static TokenizerException inFile(Path file, String problem) {
        return new TokenizerException(file + ": " + problem, null);
    }

    public static TokenizerException inFile(Path file, String problem, Throwable cause) {
        return new TokenizerException(file + ": " + problem, cause);
    }
}
