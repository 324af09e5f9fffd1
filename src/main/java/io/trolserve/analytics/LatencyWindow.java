package io.trolserve.analytics;

import java.nio.ByteBuffer;

import org.HdrHistogram.Histogram;

/**
 * The running aggregate of one model's samples in one window: request and token counts and one
 * HdrHistogram per latency. Mutable on purpose: Kafka Streams hands the aggregator a freshly
 * deserialized copy for every record, so updating it in place is safe and saves a copy.
 */
public final class LatencyWindow {

    /**
     * Highest latency the histograms track: an hour, in microseconds. Three significant digits
     * keep every recorded value within 0.1% of the truth, which is why percentiles are reported
     * rounded to three significant figures ({@link LatencyStats}).
     */
    static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;
    static final int SIGNIFICANT_DIGITS = 3;

    private long requests;
    private long outputTokens;
    private final Histogram ttft;
    private final Histogram interToken;
    private final Histogram endToEnd;

    public LatencyWindow() {
        this(0, 0, newHistogram(), newHistogram(), newHistogram());
    }

    private LatencyWindow(long requests, long outputTokens, Histogram ttft, Histogram interToken, Histogram endToEnd) {
        this.requests = requests;
        this.outputTokens = outputTokens;
        this.ttft = ttft;
        this.interToken = interToken;
        this.endToEnd = endToEnd;
    }

    static Histogram newHistogram() {
        return new Histogram(HIGHEST_TRACKABLE_MICROS, SIGNIFICANT_DIGITS);
    }

    /** Adds one sample; latencies above the trackable range are clamped to it rather than dropped. */
    public LatencyWindow add(LatencySample sample) {
        long micros = Math.min(sample.micros(), HIGHEST_TRACKABLE_MICROS);
        switch (sample.kind()) {
            case FIRST_TOKEN -> {
                outputTokens++;
                ttft.recordValue(micros);
            }
            case NEXT_TOKEN -> {
                outputTokens++;
                interToken.recordValue(micros);
            }
            case ANSWER -> {
                requests++;
                if (micros > 0) {
                    endToEnd.recordValue(micros);
                }
            }
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
        return ttft;
    }

    Histogram interToken() {
        return interToken;
    }

    Histogram endToEnd() {
        return endToEnd;
    }

    /** Counts, then each histogram length-prefixed in HdrHistogram's own compressed encoding. */
    byte[] toBytes() {
        Histogram[] histograms = {ttft, interToken, endToEnd};
        ByteBuffer[] encoded = new ByteBuffer[histograms.length];
        int size = 2 * Long.BYTES;
        for (int i = 0; i < histograms.length; i++) {
            ByteBuffer buffer = ByteBuffer.allocate(histograms[i].getNeededByteBufferCapacity());
            // the returned length is what counts: the encoder does not leave the position after its output
            int length = histograms[i].encodeIntoCompressedByteBuffer(buffer);
            encoded[i] = ByteBuffer.wrap(buffer.array(), 0, length);
            size += Integer.BYTES + length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putLong(requests).putLong(outputTokens);
        for (ByteBuffer buffer : encoded) {
            out.putInt(buffer.remaining()).put(buffer);
        }
        return out.array();
    }

    static LatencyWindow fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long requests = in.getLong();
        long outputTokens = in.getLong();
        Histogram[] histograms = new Histogram[3];
        for (int i = 0; i < histograms.length; i++) {
            byte[] encoded = new byte[in.getInt()];
            in.get(encoded);
            // its own array: the decoder reads the backing array from index 0, ignoring a slice's offset
            try {
                histograms[i] = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), HIGHEST_TRACKABLE_MICROS);
            } catch (java.util.zip.DataFormatException e) {
                throw new IllegalArgumentException("corrupt latency histogram in the state store", e);
            }
        }
        return new LatencyWindow(requests, outputTokens, histograms[0], histograms[1], histograms[2]);
    }
}
