package io.trolserve.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Our {@code trol-} header names, and the headers carried from a request to its tokens and answer:
 * every header the producer set (correlation ids, {@code traceparent}, ...) except our own, within
 * a byte budget. The budget exists because the carried headers are copied onto every token record:
 * hundreds of kB of headers times a few hundred tokens would flood the topic and could push an
 * answer past the producer's request size.
 */
final class RecordHeaders {

    static final String ERROR_CODE = "trol-error-code";
    static final String ERROR_MESSAGE = "trol-error-message";
    static final String SOURCE_TOPIC = "trol-source-topic";
    static final String SOURCE_PARTITION = "trol-source-partition";
    static final String SOURCE_OFFSET = "trol-source-offset";
    /** On a dead letter whose value was cut to fit: the original value's length in bytes. */
    static final String TRUNCATED = "trol-truncated";
    /** On a dead letter that had to drop the original headers too: their total size in bytes. */
    static final String HEADERS_DROPPED = "trol-headers-dropped";
    /** The warning an answer carries when its request's headers were over the budget. */
    static final String HEADERS_NOT_CARRIED = "headers-not-carried";

    private RecordHeaders() {
    }

    /**
     * The headers a request's outputs carry, or none at all (with a warning for the answer) when
     * they exceed {@code maxBytes} together: a partial set would silently lose, say, a trace id.
     */
    record Carried(List<Header> headers, List<String> warnings) {
        static final Carried NONE = new Carried(List.of(), List.of());
    }

    static Carried carried(List<Header> headers, int maxBytes) {
        List<Header> out = new ArrayList<>();
        for (Header h : headers) {
            if (!h.key().startsWith("trol-")) {
                out.add(new RecordHeader(h.key(), h.value()));
            }
        }
        long size = sizeBytes(out);
        if (size > maxBytes) {
            return new Carried(List.of(), List.of(HEADERS_NOT_CARRIED + ": the request's headers hold " + size
                    + " bytes, more than the " + maxBytes + " that are copied onto its tokens and answer"));
        }
        return new Carried(List.copyOf(out), List.of());
    }

    /** Header keys and values in bytes, plus the record format's per-header overhead. */
    static long sizeBytes(List<Header> headers) {
        long size = 0;
        for (Header h : headers) {
            size += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length)
                    + IncomingRecord.HEADER_OVERHEAD;
        }
        return size;
    }

    static RecordHeader text(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
