package io.trolserve.analytics;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.trolserve.messaging.contract.ContractJson;

/**
 * One {@code trol.latency-stats} record (schema {@code schemas/trol.latency-stats.v1.schema.json}),
 * also what {@code GET /v1/stats} lists: one model's latencies over one window.
 *
 * @param window the window's name: {@code 10s} (tumbling) or {@code 1m} (hopping), as configured
 * @param requests answers published in the window (any finish reason)
 * @param outputTokens token events in the window
 * @param ttftMs time to first token over the first tokens in the window; null when there were none
 * @param itlMs inter-token latency over the later tokens in the window; null when there were none
 * @param e2eMsP99 end-to-end p99 over the answers in the window that ran; null when none did
 */
public record LatencyStats(
        @JsonProperty(required = true) int version,
        @JsonProperty(required = true) String model,
        @JsonProperty(required = true) String window,
        @JsonProperty(required = true) Instant start,
        @JsonProperty(required = true) Instant end,
        @JsonProperty(required = true) long requests,
        @JsonProperty(required = true) long outputTokens,
        @JsonProperty(required = true) double tokensPerSecond,
        Percentiles ttftMs,
        Percentiles itlMs,
        Double e2eMsP99) {

    /**
     * p50/p90/p99/max in milliseconds, each the histogram's value at that percentile (the
     * smallest recorded value with at least that share of samples at or below it), rounded to
     * the three significant figures the histogram keeps.
     */
    public record Percentiles(double p50, double p90, double p99, double max) {

        static Percentiles of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return null;
            }
            return new Percentiles(at(h, 50), at(h, 90), at(h, 99), millis(h.getMaxValue()));
        }

        private static double at(Histogram h, double percentile) {
            return millis(h.getValueAtPercentile(percentile));
        }
    }

    static LatencyStats of(String model, String window, Instant start, Instant end, LatencyWindow w) {
        double seconds = (end.toEpochMilli() - start.toEpochMilli()) / 1000.0;
        Histogram e2e = w.endToEnd();
        return new LatencyStats(ContractJson.VERSION, model, window, start, end, w.requests(), w.outputTokens(),
                round3(w.outputTokens() / seconds), Percentiles.of(w.ttft()), Percentiles.of(w.interToken()),
                e2e.getTotalCount() == 0 ? null : millis(e2e.getValueAtPercentile(99)));
    }

    static double millis(long micros) {
        return round3(micros / 1000.0);
    }

    /** Three significant figures: what a 3-digit HdrHistogram actually knows. */
    static double round3(double value) {
        return value == 0 ? 0 : new BigDecimal(value).round(new MathContext(3)).doubleValue();
    }
}
