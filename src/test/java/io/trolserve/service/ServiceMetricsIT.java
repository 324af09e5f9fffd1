package io.trolserve.service;

import static io.trolserve.service.ServiceRecords.ANSWERS;
import static io.trolserve.service.ServiceRecords.DLQ;
import static io.trolserve.service.ServiceRecords.REQUESTS;
import static io.trolserve.service.ServiceRecords.byId;
import static io.trolserve.service.ServiceRecords.idsOf;
import static io.trolserve.service.ServiceRecords.json;
import static io.trolserve.service.ServiceRecords.png;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.metrics.PrometheusText;

/** The service's {@code /q/metrics} after real traffic: every serving metric, with values that add up. */
class ServiceMetricsIT {

    static ServiceFixture fixture;
    static KafkaTestClient kafka;
    static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServiceFixture.start("metrics");
        kafka = fixture.kafka;
        service = fixture.service;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void metricsEndpointExposesEveryServingMetricWithSaneValuesAfterTraffic() throws Exception {
        // deltas from a first scrape: the other tests' traffic may come before this one
        java.net.URI metrics = service.uri("/q/metrics");
        PrometheusText before = PrometheusText.scrape(metrics);
        int requests = 6;
        for (int i = 0; i < requests; i++) {
            String id = "metrics-" + i;
            String image = i % 2 == 0 ? "\"image\":{\"data\":\"" + Base64.getEncoder().encodeToString(png(24, 20, 100 + i))
                    + "\",\"mediaType\":\"image/png\"}," : "";
            kafka.send(REQUESTS, id, json("{\"id\":\"" + id + "\",\"question\":\"Metrics question " + i + "?\"," + image
                    + "\"params\":{\"maxNewTokens\":5}}"));
        }
        kafka.send(REQUESTS, "metrics-bad", json("{\"id\": \"metrics-bad\", \"question\": "));
        Map<String, JsonNode> answers = byId(kafka.readUntil(ANSWERS, Duration.ofMinutes(2),
                read -> idsOf(read, "metrics-").size() == requests + 1), "metrics-");
        answers.remove("metrics-bad"); // its error answer comes from intake, not from the engine
        assertThat(answers).hasSize(requests);
        assertThat(kafka.readUntil(DLQ, Duration.ofMinutes(1), read -> idsOf(read, "metrics-bad").size() == 1)).isNotEmpty();
        String model = answers.get("metrics-0").get("model").asText();
        String[] m = {"model", model};
        int completion = answers.values().stream().mapToInt(a -> a.get("usage").get("completionTokens").asInt()).sum();

        // the DLQ counter moves once the dead letter is acknowledged and the gauges once the engine
        // has stepped past the last request: poll until both are there
        PrometheusText after = before;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            after = PrometheusText.scrape(metrics);
            if (after.sum("trol_dlq_records_total", "model", model, "error_code", "malformed-json")
                    > before.sum("trol_dlq_records_total", "model", model, "error_code", "malformed-json")
                    && after.value("trol_num_requests_running", m) == 0 && after.value("trol_num_requests_waiting", m) == 0) {
                break;
            }
            Thread.sleep(200);
        }
        PrometheusText t = after;
        java.util.function.BiFunction<String, String[], Double> delta = (name, labels) -> t.sum(name, labels)
                - before.sum(name, labels);

        for (String h : List.of("trol_time_to_first_token_seconds", "trol_inter_token_latency_seconds",
                "trol_e2e_request_latency_seconds", "trol_request_queue_time_seconds", "trol_request_vision_time_seconds",
                "trol_request_prefill_time_seconds")) {
            assertThat(t.type(h)).as(h).isEqualTo("histogram");
            List<PrometheusText.Sample> buckets = t.samples(h + "_bucket", m);
            assertThat(buckets).as(h).hasSizeGreaterThan(10);
            double previous = 0;
            for (PrometheusText.Sample b : buckets) {
                assertThat(b.value()).as("%s cumulative at le=%s", h, b.labels().get("le")).isGreaterThanOrEqualTo(previous);
                previous = b.value();
            }
            assertThat(t.value(h + "_bucket", "model", model, "le", "+Inf")).as(h).isEqualTo(t.value(h + "_count", m));
            assertThat(t.value(h + "_sum", m)).as(h).isGreaterThanOrEqualTo(0);
        }
        // one e2e, queue and finish-reason sample per request the engine answered; one TTFT per request
        // with a token; one inter-token sample per further token; vision for the three with an image
        double finished = delta.apply("trol_e2e_request_latency_seconds_count", m);
        assertThat(finished).isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_request_queue_time_seconds_count", m)).isEqualTo(finished);
        assertThat(delta.apply("trol_request_prefill_time_seconds_count", m)).isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_requests_finished_total", m)).isEqualTo(finished);
        assertThat(delta.apply("trol_requests_finished_total", new String[] {"model", model, "finish_reason", "stop"})
                + delta.apply("trol_requests_finished_total", new String[] {"model", model, "finish_reason", "length"}))
                .isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_time_to_first_token_seconds_count", m)).isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_inter_token_latency_seconds_count", m)).isGreaterThanOrEqualTo(completion - requests);
        assertThat(delta.apply("trol_request_vision_time_seconds_count", m)).isGreaterThanOrEqualTo(requests / 2);
        assertThat(t.value("trol_time_to_first_token_seconds_sum", m)).isGreaterThan(0);

        assertThat(delta.apply("trol_generation_tokens_total", m)).isGreaterThanOrEqualTo(completion);
        double prompt = delta.apply("trol_prompt_tokens_total", m);
        assertThat(prompt).isGreaterThan(0);
        // every prefilled prompt token is traversed by every decoder layer a second time
        assertThat(delta.apply("trol_traversal_passes_total", m)).isGreaterThanOrEqualTo(prompt);
        assertThat(t.value("trol_preemptions_total", m)).isGreaterThanOrEqualTo(0);
        assertThat(delta.apply("trol_dlq_records_total", new String[] {"model", model, "error_code", "malformed-json"}))
                .isGreaterThanOrEqualTo(1);
        for (String c : List.of("trol_prompt_tokens_total", "trol_generation_tokens_total", "trol_traversal_passes_total",
                "trol_preemptions_total", "trol_requests_finished_total", "trol_dlq_records_total")) {
            assertThat(t.type(c)).as(c).isEqualTo("counter");
        }

        // idle now: nothing runs, no block is held, and the pool adds up
        assertThat(t.value("trol_num_requests_running", m)).isZero();
        assertThat(t.value("trol_num_requests_waiting", m)).isZero();
        assertThat(t.value("trol_batch_size", m)).isZero();
        double total = t.value("trol_kv_blocks_total", m);
        assertThat(total).isGreaterThan(0);
        assertThat(t.value("trol_kv_blocks_used", m)).isZero();
        assertThat(t.value("trol_kv_blocks_used", m) + t.value("trol_kv_blocks_free", m)).isEqualTo(total);
        assertThat(t.value("trol_vision_cache_bytes", m)).isGreaterThan(0);
        for (String g : List.of("trol_num_requests_running", "trol_num_requests_waiting", "trol_batch_size",
                "trol_kv_blocks_used", "trol_kv_blocks_free", "trol_vision_cache_bytes")) {
            assertThat(t.type(g)).as(g).isEqualTo("gauge");
        }
    }
}
