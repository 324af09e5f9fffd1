package io.trolserve.messaging;

import java.util.List;

import org.apache.kafka.common.header.Header;

/**
 * One {@code trol.requests} record as intake sees it: bytes and where they came from, nothing of the
 * consumer that fetched them, so that {@link IntakeCore} runs without a broker.
 *
 * @param key     the record key, possibly null
 * @param value   the record value, possibly null (a tombstone)
 * @param headers the record's headers, in order
 */
public record IncomingRecord(String topic, int partition, long offset, byte[] key, byte[] value, List<Header> headers) {

    /** Per-header overhead Kafka's record format adds beyond the key and value bytes (varints). */
    static final int HEADER_OVERHEAD = 10;

    public IncomingRecord {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** Key, value and headers in bytes: what the door's record-size limit counts. */
    long sizeBytes() {
        return length(key) + length(value) + RecordHeaders.sizeBytes(headers);
    }

    /** topic-partition@offset, for logs and messages. */
    String where() {
        return topic + "-" + partition + "@" + offset;
    }

    private static long length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
