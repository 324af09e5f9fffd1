package io.trolserve.metrics;

import java.time.Duration;
import java.util.Arrays;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The per-request latency histograms and their buckets.
 *
 * <p>Each timer publishes two sets of buckets. Micrometer's percentile histogram (three or four buckets
 * per doubling, clipped to the range expected for the metric) lets {@code histogram_quantile()}
 * estimate p50/p99 closely. On top of it, round service-level boundaries (the {@code le} values one writes alerts
 * against, such as TTFT under 1 s) are exact buckets, so "fraction of requests within the SLO" is
 * a ratio of two counters rather than an interpolation.
 */
final class LatencyHistograms {

    private LatencyHistograms() {
    }

    static Timer timeToFirstToken(MeterRegistry registry, Tags tags) {
        return timer(registry, tags, MetricNames.TIME_TO_FIRST_TOKEN,
                "Time from submission to the engine to the first generated token",
                millis(1), seconds(120), 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    }

    /** One sample per token after the first (vLLM's inter_token_latency; older vLLM: time_per_output_token). */
    static Timer interTokenLatency(MeterRegistry registry, Tags tags) {
        return timer(registry, tags, MetricNames.INTER_TOKEN_LATENCY,
                "Time between two consecutive generated tokens of a request",
                Duration.ofNanos(500_000), seconds(5), 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1);
    }

    static Timer e2eRequestLatency(MeterRegistry registry, Tags tags) {
        return timer(registry, tags, MetricNames.E2E_REQUEST_LATENCY,
                "Time from submission to the engine to the request's end",
                millis(10), seconds(600), 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300);
    }

    static Timer requestQueueTime(MeterRegistry registry, Tags tags) {
        return timer(registry, tags, MetricNames.REQUEST_QUEUE_TIME,
                "Time from submission to the engine to the request's first scheduled step",
                millis(1), seconds(600), 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60);
    }

    static Timer requestVisionTime(MeterRegistry registry, Tags tags) {
        return timer(registry, tags, MetricNames.REQUEST_VISION_TIME,
                "Time encoding a request's image (0 on a vision-cache hit); requests with an image only",
                millis(1), seconds(10), 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    }

    static Timer requestPrefillTime(MeterRegistry registry, Tags tags) {
        return timer(registry, tags, MetricNames.REQUEST_PREFILL_TIME,
                "Time from a request's first scheduled step to its first token",
                millis(1), seconds(120), 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
    }

    private static Timer timer(MeterRegistry registry, Tags tags, String name, String description, Duration min,
                               Duration max, double... sloSeconds) {
        Duration[] slos = Arrays.stream(sloSeconds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
        return Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(min)
                .maximumExpectedValue(max)
                .serviceLevelObjectives(slos)
                .register(registry);
    }

    private static Duration millis(long ms) {
        return Duration.ofMillis(ms);
    }

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
