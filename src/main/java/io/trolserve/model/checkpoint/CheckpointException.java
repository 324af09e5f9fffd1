package io.trolserve.model.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be used as it is: missing or corrupt file, unsupported dtype, a tensor
 * with the wrong name or shape, a config that contradicts the weights. The message always names
 * the file (and the tensor, where one is at fault) so that an operator can act on it.
 */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    public static CheckpointException inFile(Path file, String problem) {
        return new CheckpointException(file + ": " + problem);
    }

    public static CheckpointException inFile(Path file, String problem, Throwable cause) {
        return new CheckpointException(file + ": " + problem, cause);
    }
}
