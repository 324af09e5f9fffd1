package io.trolserve.broker;

/**
 * The embedded broker could not start, create topics or stop. The message names the problem
 * (port in use, data directory not writable, data directory of another node, readiness timeout).
 */
public class EmbeddedKafkaException extends RuntimeException {

    public EmbeddedKafkaException(String message) {
        super(message);
    }

    public EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }
}
