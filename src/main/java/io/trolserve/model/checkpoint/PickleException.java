package io.trolserve.model.checkpoint;

/** A pickle that this reader cannot or will not evaluate; the reader adds the file name. */
final class PickleException extends RuntimeException {

    PickleException(String message) {
        super(message);
    }
}
