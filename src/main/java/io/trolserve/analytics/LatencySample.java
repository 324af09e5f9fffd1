package io.trolserve.analytics;

/**
 * One observation the latency windows aggregate: a token's latency (the first token's is the time
 * to first token, a later token's the inter-token latency) or a finished request's end-to-end
 * time. Derived from {@code trol.tokens} and {@code trol.answers} records and re-keyed by model.
 *
 * @param micros the latency, whole microseconds (the resolution the histograms record)
 */
public record LatencySample(Kind kind, long micros) {

    public enum Kind {
        /** Index 0 of {@code trol.tokens}: time to first token, counts as an output token. */
        FIRST_TOKEN,
        /** A later token: inter-token latency, counts as an output token. */
        NEXT_TOKEN,
        /** One {@code trol.answers} record: a finished request and its end-to-end time (0 when it never ran). */
        ANSWER
    }

    public LatencySample {
        if (micros < 0) {
            throw new IllegalArgumentException("latency must be >= 0, not " + micros + " us");
        }
    }

    static long micros(double millis) {
        return Math.round(millis * 1000.0);
    }
}
