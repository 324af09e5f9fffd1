package io.trolserve.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Headers carried from a request to its tokens and answer: every header the producer set
 * (correlation ids, {@code traceparent}, ...), except our own {@code trol-} headers.
 */
final class RecordHeaders {

    static final String ERROR_CODE = "trol-error-code";
    static final String ERROR_MESSAGE = "trol-error-message";
    static final String SOURCE_TOPIC = "trol-source-topic";
    static final String SOURCE_PARTITION = "trol-source-partition";
    static final String SOURCE_OFFSET = "trol-source-offset";

    private RecordHeaders() {
    }

    static List<RecordHeader> carried(Headers headers) {
        List<RecordHeader> out = new ArrayList<>();
        if (headers != null) {
            for (Header h : headers) {
                if (!h.key().startsWith("trol-")) {
                    out.add(new RecordHeader(h.key(), h.value()));
                }
            }
        }
        return out;
    }

    static RecordHeader text(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
