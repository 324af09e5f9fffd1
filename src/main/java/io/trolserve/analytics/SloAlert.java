package io.trolserve.analytics;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.trolserve.messaging.contract.ContractJson;

/**
 * One {@code trol.slo-alerts} record (schema {@code schemas/trol.slo-alerts.v1.schema.json}): a
 * closed window whose p99 exceeded its configured objective.
 *
 * @param metric {@code ttft} (time to first token) or {@code itl} (inter-token latency)
 */
public record SloAlert(
        @JsonProperty(required = true) int version,
        @JsonProperty(required = true) String model,
        @JsonProperty(required = true) String window,
        @JsonProperty(required = true) Instant start,
        @JsonProperty(required = true) Instant end,
        @JsonProperty(required = true) String metric,
        @JsonProperty(required = true) double p99Ms,
        @JsonProperty(required = true) double thresholdMs,
        @JsonProperty(required = true) long requests) {

    static final String TTFT = "ttft";
    static final String INTER_TOKEN = "itl";

    SloAlert(LatencyStats stats, String metric, double p99Ms, double thresholdMs) {
        this(ContractJson.VERSION, stats.model(), stats.window(), stats.start(), stats.end(), metric, p99Ms,
                thresholdMs, stats.requests());
    }
}
