package io.trolserve.analytics;

import java.nio.ByteBuffer;

import org.HdrHistogram.Histogram;

/**
 * The running aggregate of one model's samples in one window: request and token counts and one
 * HdrHistogram per latency (time to first token, inter-token, end-to-end).
 *
 * <p>Kafka Streams stores aggregates as bytes and hands the aggregator a fresh copy for every
 * record, in every window the record falls in (seven for the defaults: one tumbling, six
 * hopping). So the encoding is the hot path: histograms stay in their encoded form until one is
 * needed, a record decodes only the histogram it adds to, and the encoding is HdrHistogram's plain
 * one (run-length and LEB128, no Deflater), of auto-resizing histograms that only span the values
 * they hold. Mutable on purpose, since every copy is private to one update.
 */
public final class LatencyWindow {

    /**
     * Highest latency recorded as such: an hour, in microseconds; longer ones are clamped to it.
     * Three significant digits keep every recorded value within 0.1% of the truth, which is why
     * percentiles are reported rounded to three significant figures ({@link LatencyStats}).
     */
    static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;
    static final int SIGNIFICANT_DIGITS = 3;

    private static final int TTFT = 0;
    private static final int INTER_TOKEN = 1;
    private static final int END_TO_END = 2;

    private long requests;
    private long outputTokens;
    /** Per latency: the decoded histogram once needed, else null and {@link #encoded} holds it. */
    private final Histogram[] decoded = new Histogram[3];
    private final byte[][] encoded = new byte[3][];

    public LatencyWindow() {
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = newHistogram();
        }
    }

    private LatencyWindow(long requests, long outputTokens, byte[][] encoded) {
        this.requests = requests;
        this.outputTokens = outputTokens;
        System.arraycopy(encoded, 0, this.encoded, 0, encoded.length);
    }

    static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Adds one sample. */
    public LatencyWindow add(LatencySample sample) {
        long micros = Math.min(sample.micros(), HIGHEST_TRACKABLE_MICROS);
        switch (sample.kind()) {
            case FIRST_TOKEN -> {
                outputTokens++;
                histogram(TTFT).recordValue(micros);
            }
            case NEXT_TOKEN -> {
                outputTokens++;
                histogram(INTER_TOKEN).recordValue(micros);
            }
            case ANSWER -> {
                requests++;
                if (micros > 0) {
                    histogram(END_TO_END).recordValue(micros);
                }
            }
        }
        return this;
    }

    /** Adds everything {@code other} holds (the union of two windows' samples). */
    LatencyWindow merge(LatencyWindow other) {
        requests += other.requests;
        outputTokens += other.outputTokens;
        for (int i = 0; i < decoded.length; i++) {
            histogram(i).add(other.histogram(i));
        }
        return this;
    }

    public long requests() {
        return requests;
    }

    public long outputTokens() {
        return outputTokens;
    }

    Histogram ttft() {
        return histogram(TTFT);
    }

    Histogram interToken() {
        return histogram(INTER_TOKEN);
    }

    Histogram endToEnd() {
        return histogram(END_TO_END);
    }

    private Histogram histogram(int which) {
        if (decoded[which] == null) {
            try {
                decoded[which] = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(encoded[which]), 0);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("corrupt latency histogram in the state store", e);
            }
            decoded[which].setAutoResize(true);
            encoded[which] = null;
        }
        return decoded[which];
    }

    /** Counts, then each histogram length-prefixed; an untouched one is copied through as it came. */
    byte[] toBytes() {
        int size = 2 * Long.BYTES;
        byte[][] parts = new byte[3][];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = encoded[i] != null ? encoded[i] : encode(decoded[i]);
            size += Integer.BYTES + parts[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putLong(requests).putLong(outputTokens);
        for (byte[] part : parts) {
            out.putInt(part.length).put(part);
        }
        return out.array();
    }

    private static byte[] encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        // the returned length is what counts: the encoder does not leave the position after its output
        int length = h.encodeIntoByteBuffer(buffer);
        byte[] bytes = new byte[length];
        System.arraycopy(buffer.array(), 0, bytes, 0, length);
        return bytes;
    }

    static LatencyWindow fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long requests = in.getLong();
        long outputTokens = in.getLong();
        byte[][] parts = new byte[3][];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = new byte[in.getInt()];
            in.get(parts[i]);
        }
        return new LatencyWindow(requests, outputTokens, parts);
    }
}
