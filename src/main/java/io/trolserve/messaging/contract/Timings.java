package io.trolserve.messaging.contract;

/**
 * Per-request timings in milliseconds; a phase that did not happen (no image, ended before its
 * first token) is null and left out of the JSON.
 *
 * <p>Values must be finite and non-negative: JSON has no NaN, and a negative duration means a
 * clock bug that should fail a test rather than reach a dashboard.
 */
public record Timings(
        Double queueMs, Double visionMs, Double prefillMs, Double ttftMs, Double e2eMs, Double meanItlMs) {

    public static final Timings NONE = new Timings(null, null, null, null, null, null);

    public Timings {
        for (Double v : new Double[] {queueMs, visionMs, prefillMs, ttftMs, e2eMs, meanItlMs}) {
            if (v != null && !(v >= 0 && v < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("timings must be finite and >= 0: " + v);
            }
        }
    }
}
