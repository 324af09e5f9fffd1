package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The latency analytics against a real broker: while requests keep arriving, the service's Kafka
 * Streams topology writes trol.latency-stats and {@code /v1/stats} lists windows whose figures hang
 * together; the OpenAPI description names every REST path.
 */
class AnalyticsIT {

    static ServiceFixture fixture;
    static BackgroundTraffic traffic;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServiceFixture.start("analytics");
        traffic = BackgroundTraffic.start(fixture.kafka, "stats-");
    }

    @AfterAll
    static void stop() throws Exception {
        try (ServiceFixture f = fixture; BackgroundTraffic t = traffic) {
            // the traffic stops first, then the service
        }
    }

    @Test
    void trafficBecomesLatencyStatsOnTheTopicAndAtV1Stats() throws Exception {
        traffic.awaitAnswers(10);
        assertThat(fixture.awaitCompletedStatsWindow(Duration.ofSeconds(60))).startsWith("HTTP 200");
        for (String window : List.of("10s", "1m")) {
            JsonNode page = fixture.getJson("/v1/stats?window=" + window + "&minutes=10");
            assertThat(page.get("model").asText()).isEqualTo("micro");
            assertThat(page.get("windows").size()).as(window).isPositive();
            long requests = 0;
            Instant previousStart = Instant.MIN;
            for (JsonNode w : page.get("windows")) {
                Instant start = Instant.parse(w.get("start").asText());
                assertThat(start).as("oldest first").isAfter(previousStart);
                previousStart = start;
                assertThat(w.get("window").asText()).isEqualTo(window);
                requests += w.get("requests").asLong();
                assertThat(w.get("outputTokens").asLong()).isGreaterThanOrEqualTo(w.get("requests").asLong());
                for (String latency : List.of("ttftMs", "itlMs")) {
                    JsonNode p = w.get(latency);
                    if (p != null) {
                        assertThat(p.get("p50").asDouble()).as(latency).isPositive()
                                .isLessThanOrEqualTo(p.get("p90").asDouble());
                        assertThat(p.get("p90").asDouble()).isLessThanOrEqualTo(p.get("p99").asDouble());
                        assertThat(p.get("p99").asDouble()).isLessThanOrEqualTo(p.get("max").asDouble());
                    }
                }
            }
            assertThat(requests).as("requests counted in the %s windows", window).isPositive();
        }
        assertThat(fixture.get("/v1/stats?window=7s").statusCode()).isEqualTo(400);
        assertThat(fixture.get("/v1/stats?minutes=0").statusCode()).isEqualTo(400);

        List<ConsumerRecord<byte[], byte[]>> stats = fixture.kafka.readUntil("trol.latency-stats",
                Duration.ofSeconds(30), read -> read.size() >= 2);
        assertThat(stats).isNotEmpty();
        JsonNode record = ServiceRecords.JSON.readTree(stats.get(stats.size() - 1).value());
        assertThat(KafkaTestClient.key(stats.get(0))).isEqualTo("micro");
        assertThat(record.get("model").asText()).isEqualTo("micro");
        assertThat(record.get("outputTokens").asLong()).isPositive();

        JsonNode api = fixture.getJson("/q/openapi?format=json");
        assertThat(api.get("paths").fieldNames()).toIterable().contains("/v1/answers", "/v1/answers/{id}/tokens",
                "/v1/stats", "/v1/engine");
    }
}
