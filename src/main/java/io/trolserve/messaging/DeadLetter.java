package io.trolserve.messaging;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * What goes to {@code trol.requests.dlq} for a refused record: its key, value and headers unchanged,
 * plus headers naming the reason and the source. A letter that would not fit the producer's or the
 * broker's size limit is cut: first the value (marked {@code trol-truncated} with its original
 * length), and only when the headers alone are too big, the original headers too (marked
 * {@code trol-headers-dropped}); the reason and source headers always stay.
 */
record DeadLetter(byte[] key, byte[] value, List<Header> originalHeaders, List<Header> reasonHeaders) {

    /** Room kept for the record format's own bytes (lengths, timestamps, attributes). */
    private static final int RECORD_OVERHEAD = 128;

    /** Longer messages are cut: they carry exception texts, which nothing else bounds. */
    static final int MAX_MESSAGE_CHARS = 1000;

    static DeadLetter of(IncomingRecord source, String code, String message) {
        String shortMessage = message.length() <= MAX_MESSAGE_CHARS ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "...";
        List<Header> reason = List.of(
                RecordHeaders.text(RecordHeaders.ERROR_CODE, code),
                RecordHeaders.text(RecordHeaders.ERROR_MESSAGE, shortMessage),
                RecordHeaders.text(RecordHeaders.SOURCE_TOPIC, source.topic()),
                RecordHeaders.text(RecordHeaders.SOURCE_PARTITION, Integer.toString(source.partition())),
                RecordHeaders.text(RecordHeaders.SOURCE_OFFSET, Long.toString(source.offset())));
        return new DeadLetter(source.key(), source.value(), source.headers(), reason);
    }

    /** Original headers first, then ours, as the consumer of the DLQ sees them. */
    List<Header> headers() {
        List<Header> all = new ArrayList<>(originalHeaders);
        all.addAll(reasonHeaders);
        return all;
    }

    long sizeBytes() {
        return (key == null ? 0 : key.length) + (value == null ? 0 : value.length)
                + RecordHeaders.sizeBytes(originalHeaders) + RecordHeaders.sizeBytes(reasonHeaders) + RECORD_OVERHEAD;
    }

    /** This letter if it fits {@code maxBytes}, else cut to fit as the class comment says. */
    DeadLetter fittedTo(long maxBytes) {
        if (sizeBytes() <= maxBytes) {
            return this;
        }
        int valueLength = value == null ? 0 : value.length;
        List<Header> marked = withHeader(reasonHeaders, RecordHeaders.TRUNCATED, Integer.toString(valueLength));
        DeadLetter cut = new DeadLetter(key, new byte[0], originalHeaders, marked);
        long room = maxBytes - cut.sizeBytes();
        if (room >= 0) {
            return new DeadLetter(key, Arrays.copyOf(value == null ? new byte[0] : value, (int) Math.min(room, valueLength)),
                    originalHeaders, marked);
        }
        List<Header> bare = withHeader(marked, RecordHeaders.HEADERS_DROPPED,
                Long.toString(RecordHeaders.sizeBytes(originalHeaders)));
        DeadLetter headless = new DeadLetter(new byte[0], new byte[0], List.of(), bare);
        // a routing key is not bounded at the door like an id; as a last resort it is cut too
        int keyRoom = (int) Math.max(0, Math.min(key == null ? 0 : key.length, maxBytes - headless.sizeBytes()));
        return new DeadLetter(key == null ? null : Arrays.copyOf(key, keyRoom), new byte[0], List.of(), bare);
    }

    private static List<Header> withHeader(List<Header> headers, String key, String value) {
        List<Header> out = new ArrayList<>(headers);
        out.add(new RecordHeader(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return List.copyOf(out);
    }
}
