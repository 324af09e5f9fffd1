package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.messaging.Topics;

/**
 * The latency analytics against a real broker: while requests keep arriving, the service's Kafka
 * Streams topology writes trol.latency-stats and {@code /v1/stats} lists windows whose figures hang
 * together; the OpenAPI description names every REST path. Then the service restarts, and the
 * new process answers {@code /v1/stats} at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnalyticsIT {

    /** The analytics' consumer group: quarkus.kafka-streams.application-id. */
    private static final String STREAMS_GROUP = "trol-serve-analytics";
    private static final Duration QUERYABLE_AFTER_RESTART = Duration.ofSeconds(10);

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
    @Order(1)
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

        List<ConsumerRecord<byte[], byte[]>> stats = fixture.kafka.readUntil(Topics.LATENCY_STATS,
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

    /**
     * SIGTERM, then the same service again on the same broker while the traffic goes on. The old
     * Kafka Streams member leaves the group as it stops, so the new one is not kept waiting for
     * the old one's session timeout (45 s, when /v1/stats answered 503 REBALANCING meanwhile).
     */
    @Test
    @Order(2)
    void afterAGracefulRestartV1StatsAnswersWithinTenSecondsOfReadiness() throws Exception {
        traffic.awaitAnswers(10);
        HttpResponse<String> before = fixture.awaitStatsAnswer(Duration.ofSeconds(60));
        assertThat(before.statusCode()).as("before the restart: %s", before.body()).isEqualTo(200);
        assertThat(fixture.kafka.members(STREAMS_GROUP)).as("the analytics is in its group").isNotEmpty();

        assertThat(fixture.service.terminate()).as("exit code after SIGTERM").isZero();
        List<String> membersAfterExit = fixture.kafka.members(STREAMS_GROUP);

        fixture.startAgain();
        long ready = System.nanoTime();
        HttpResponse<String> after = fixture.awaitStatsAnswer(QUERYABLE_AFTER_RESTART);
        Duration took = Duration.ofNanos(System.nanoTime() - ready);
        System.out.printf("AnalyticsIT: /v1/stats answered %d %d ms after the restarted service was ready%n",
                after.statusCode(), took.toMillis());
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(membersAfterExit).as("members of %s once the old process had exited", STREAMS_GROUP)
                    .isEmpty();
            soft.assertThat(after.statusCode()).as("/v1/stats %s after readiness: %s", took, after.body())
                    .isEqualTo(200);
        });
    }
}
