package io.trolserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.trolserve.engine.EngineStats;
import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;

/**
 * The metric wiring without Quarkus: a Prometheus registry, a hand-made engine snapshot and
 * hand-made engine outputs; assertions on the scraped text, with the names users query.
 */
class ServingMetricsTest {

    private static final String MODEL = "TroL-test";
    private static final String[] M = {"model", MODEL};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ServingMetrics metrics = new ServingMetrics(registry);
    private final AtomicReference<EngineStats> engine = new AtomicReference<>(EngineStats.EMPTY);

    @Test
    void gaugesAndCountersReadTheEngineSnapshotWhenScraped() {
        metrics.bind(MODEL, engine::get);
        // running, waiting, lastBatch, kvTotal, kvFree, kvCached, visionBytes, images, hits, steps,
        // preemptions, promptTokens, generatedTokens, traversalPasses, prefixHitTokens
        engine.set(new EngineStats(3, 2, 4, 100, 60, 5, 4096, 2, 1, 9, 1, 120, 17, 2880, 16));
        PrometheusText t = scrape();
        assertThat(t.value("trol_num_requests_running", M)).isEqualTo(3);
        assertThat(t.value("trol_num_requests_waiting", M)).isEqualTo(2);
        assertThat(t.value("trol_batch_size", M)).isEqualTo(4);
        assertThat(t.value("trol_kv_blocks_used", M)).isEqualTo(40);
        assertThat(t.value("trol_kv_blocks_free", M)).isEqualTo(60);
        assertThat(t.value("trol_kv_blocks_total", M)).isEqualTo(100);
        assertThat(t.value("trol_vision_cache_bytes", M)).isEqualTo(4096);
        assertThat(t.value("trol_prompt_tokens_total", M)).isEqualTo(120);
        assertThat(t.value("trol_generation_tokens_total", M)).isEqualTo(17);
        assertThat(t.value("trol_traversal_passes_total", M)).isEqualTo(2880);
        assertThat(t.value("trol_preemptions_total", M)).isEqualTo(1);
        assertThat(t.type("trol_num_requests_running")).isEqualTo("gauge");
        assertThat(t.type("trol_prompt_tokens_total")).isEqualTo("counter");

        // the next step's snapshot is what the next scrape sees; an idle engine has no batch
        engine.set(new EngineStats(0, 0, 4, 100, 100, 5, 4096, 2, 1, 10, 1, 120, 18, 2880, 16));
        t = scrape();
        assertThat(t.value("trol_batch_size", M)).isZero();
        assertThat(t.value("trol_kv_blocks_used", M)).isZero();
        assertThat(t.value("trol_generation_tokens_total", M)).isEqualTo(18);
    }

    @Test
    void gaugesSurviveGarbageCollection() throws InterruptedException {
        // Micrometer holds a gauge's state weakly: a state object only the meter refers to is
        // collected, after which the gauge reads NaN
        metrics.bind(MODEL, engine::get);
        engine.set(new EngineStats(1, 0, 1, 10, 7, 0, 0, 0, 0, 1, 0, 5, 1, 10, 0));
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        PrometheusText t = scrape();
        assertThat(t.value("trol_kv_blocks_free", M)).isEqualTo(7);
        assertThat(t.value("trol_prompt_tokens_total", M)).isEqualTo(5);
    }

    @Test
    void firstTokenIsTimeToFirstTokenAndTheRestInterTokenLatency() {
        metrics.bind(MODEL, engine::get);
        metrics.token(token(0, 750.0));
        metrics.token(token(1, 20.0));
        metrics.token(token(2, 30.0));
        PrometheusText t = scrape();
        assertThat(t.value("trol_time_to_first_token_seconds_count", M)).isEqualTo(1);
        assertThat(t.value("trol_time_to_first_token_seconds_sum", M)).isCloseTo(0.75, within(1e-9));
        assertThat(t.value("trol_inter_token_latency_seconds_count", M)).isEqualTo(2);
        assertThat(t.value("trol_inter_token_latency_seconds_sum", M)).isCloseTo(0.05, within(1e-9));
        assertThat(t.type("trol_time_to_first_token_seconds")).isEqualTo("histogram");
        // the SLO boundaries are exact buckets: 0.75 s is above 0.5 s and within 1 s
        assertThat(t.value("trol_time_to_first_token_seconds_bucket", "model", MODEL, "le", "0.5")).isZero();
        assertThat(t.value("trol_time_to_first_token_seconds_bucket", "model", MODEL, "le", "1.0")).isEqualTo(1);
        assertThat(t.value("trol_inter_token_latency_seconds_bucket", "model", MODEL, "le", "0.025")).isEqualTo(1);
        assertThat(t.value("trol_inter_token_latency_seconds_bucket", "model", MODEL, "le", "0.05")).isEqualTo(2);
    }

    @Test
    void histogramsHaveFineBucketsThatAddUp() {
        metrics.bind(MODEL, engine::get);
        for (int i = 1; i <= 50; i++) {
            metrics.token(token(i, i * 2.0));
        }
        List<PrometheusText.Sample> buckets = scrape().samples("trol_inter_token_latency_seconds_bucket", M);
        // the percentile histogram adds buckets between the SLO ones, so histogram_quantile() is close
        assertThat(buckets.size()).isBetween(30, 120);
        double previous = 0;
        for (PrometheusText.Sample b : buckets) {
            assertThat(b.value()).as("cumulative at le=%s", b.labels().get("le")).isGreaterThanOrEqualTo(previous);
            previous = b.value();
        }
        assertThat(buckets.get(buckets.size() - 1).labels().get("le")).isEqualTo("+Inf");
        assertThat(previous).isEqualTo(50);
    }

    @Test
    void aFinishedRequestRecordsItsTimingsAndReason() {
        metrics.bind(MODEL, engine::get);
        metrics.finished(output(FinishReason.LENGTH, 16, new RequestOutput.RequestTimings(3, 12, 40, 55.0, 612, 9.8)));
        metrics.finished(output(FinishReason.STOP, 0, new RequestOutput.RequestTimings(1, 0, 20, 25.0, 100, null)));
        metrics.finished(output(FinishReason.DEADLINE, 16, new RequestOutput.RequestTimings(50, 0, 0, null, 50, null)));
        PrometheusText t = scrape();
        assertThat(t.value("trol_e2e_request_latency_seconds_count", M)).isEqualTo(3);
        assertThat(t.value("trol_e2e_request_latency_seconds_sum", M)).isCloseTo(0.762, within(1e-9));
        assertThat(t.value("trol_request_queue_time_seconds_count", M)).isEqualTo(3);
        assertThat(t.value("trol_request_queue_time_seconds_sum", M)).isCloseTo(0.054, within(1e-9));
        // vision: requests with an image only; the deadline one never ran its image (0, as a cache hit)
        assertThat(t.value("trol_request_vision_time_seconds_count", M)).isEqualTo(2);
        assertThat(t.value("trol_request_vision_time_seconds_sum", M)).isCloseTo(0.012, within(1e-9));
        // prefill: only requests that reached a first token
        assertThat(t.value("trol_request_prefill_time_seconds_count", M)).isEqualTo(2);
        assertThat(t.value("trol_request_prefill_time_seconds_sum", M)).isCloseTo(0.06, within(1e-9));
        assertThat(t.value("trol_requests_finished_total", "model", MODEL, "finish_reason", "length")).isEqualTo(1);
        assertThat(t.value("trol_requests_finished_total", "model", MODEL, "finish_reason", "stop")).isEqualTo(1);
        assertThat(t.value("trol_requests_finished_total", "model", MODEL, "finish_reason", "deadline")).isEqualTo(1);
        // every reason is exported from the start, so rate() over it never sees a series appear
        assertThat(t.value("trol_requests_finished_total", "model", MODEL, "finish_reason", "error")).isZero();
        assertThat(t.value("trol_requests_finished_total", "model", MODEL, "finish_reason", "cancelled")).isZero();
    }

    @Test
    void deadLettersAreCountedByErrorCode() {
        metrics.bind(MODEL, engine::get);
        metrics.deadLettered("malformed-json");
        metrics.deadLettered("malformed-json");
        metrics.deadLettered("corrupt-image");
        PrometheusText t = scrape();
        assertThat(t.value("trol_dlq_records_total", "model", MODEL, "error_code", "malformed-json")).isEqualTo(2);
        assertThat(t.value("trol_dlq_records_total", "model", MODEL, "error_code", "corrupt-image")).isEqualTo(1);
        assertThat(t.sum("trol_dlq_records_total", M)).isEqualTo(3);
    }

    @Test
    void nothingIsExportedOrRecordedBeforeTheEngineIsBound() {
        // the cli subcommands never bind: their registry must stay free of serving metrics
        metrics.token(token(0, 10));
        metrics.finished(output(FinishReason.STOP, 0, new RequestOutput.RequestTimings(1, 0, 1, 2.0, 3, null)));
        metrics.deadLettered("malformed-json");
        assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("trol."));

        metrics.bind(MODEL, engine::get);
        PrometheusText t = scrape();
        assertThat(t.value("trol_time_to_first_token_seconds_count", M)).isZero();
        assertThat(t.value("trol_e2e_request_latency_seconds_count", M)).isZero();
        assertThat(t.samples("trol_dlq_records_total")).isEmpty();
    }

    @Test
    void aRestartedEngineIsReadThroughTheSameMetersButAnotherModelIsRefused() {
        metrics.bind(MODEL, engine::get);
        metrics.token(token(0, 100));
        EngineStats restarted = new EngineStats(0, 1, 0, 50, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        metrics.bind(MODEL, () -> restarted);
        PrometheusText t = scrape();
        assertThat(t.value("trol_num_requests_waiting", M)).isEqualTo(1);
        assertThat(t.value("trol_kv_blocks_total", M)).isEqualTo(50);
        assertThat(t.value("trol_time_to_first_token_seconds_count", M)).isEqualTo(1);
        assertThatThrownBy(() -> metrics.bind("another-model", engine::get)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyMeterCarriesTheModelTag() {
        metrics.bind(MODEL, engine::get);
        metrics.deadLettered("not-utf8");
        assertThat(registry.getMeters()).filteredOn(m -> m.getId().getName().startsWith("trol."))
                .hasSizeGreaterThanOrEqualTo(20)
                .allSatisfy(m -> assertThat(m.getId().getTag("model")).isEqualTo(MODEL));
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(registry.scrape());
    }

    private static TokenOutput token(int index, double latencyMs) {
        return new TokenOutput("req-1", index, 42, "x", 0L, latencyMs, 1, false);
    }

    private static RequestOutput output(FinishReason reason, int imageTokens, RequestOutput.RequestTimings timings) {
        return new RequestOutput("req-1", new int[] {1, 2}, "ab", reason, null, 30, imageTokens, timings, List.of());
    }
}
