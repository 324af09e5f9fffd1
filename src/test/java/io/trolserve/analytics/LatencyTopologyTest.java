package io.trolserve.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.trolserve.engine.FinishReason;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.Timings;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.Usage;

/** The topology without a broker: known inputs, exact counts and percentiles. */
class LatencyTopologyTest {

    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    static final LatencyTopology.Topics TOPICS = new LatencyTopology.Topics("tokens", "answers", "stats", "alerts");

    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> tokens;
    TestInputTopic<byte[], byte[]> answers;
    TestOutputTopic<String, byte[]> stats;
    TestOutputTopic<String, byte[]> alerts;
    int requestCounter;
    final List<LatencyStats> written = new java.util.ArrayList<>();

    @BeforeEach
    void start() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "latency-topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);   // every update reaches the output
        driver = new TopologyTestDriver(new LatencyTopology(TOPICS, TestSettings.DEFAULTS).build(), p);
        tokens = driver.createInputTopic("tokens", new ByteArraySerializer(), new ByteArraySerializer());
        answers = driver.createInputTopic("answers", new ByteArraySerializer(), new ByteArraySerializer());
        stats = driver.createOutputTopic("stats", new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        alerts = driver.createOutputTopic("alerts", new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void exactCountsAndPercentilesOfOneWindow() {
        // ten requests: TTFT 10, 20, ..., 100 ms; one hundred later tokens: 1, 2, ..., 100 ms; e2e 110..200 ms
        for (int i = 1; i <= 10; i++) {
            token("m", 0, 10.0 * i, T0.plusMillis(100L * i));
            answer("m", 100.0 + 10 * i, T0.plusMillis(5000 + i));
        }
        for (int i = 1; i <= 100; i++) {
            token("m", 1, i, T0.plusMillis(2000 + 10L * i));
        }
        LatencyStats s = latest("10s", T0);
        assertThat(s.model()).isEqualTo("m");
        assertThat(s.end()).isEqualTo(T0.plusSeconds(10));
        assertThat(s.requests()).isEqualTo(10);
        assertThat(s.outputTokens()).isEqualTo(110);
        assertThat(s.tokensPerSecond()).isEqualTo(11.0);
        assertThat(s.ttftMs()).isEqualTo(new LatencyStats.Percentiles(50, 90, 100, 100));
        assertThat(s.itlMs()).isEqualTo(new LatencyStats.Percentiles(50, 90, 99, 100));
        assertThat(s.e2eMsP99()).isEqualTo(200.0);
    }

    @Test
    void outOfOrderRecordsWithinTheGraceCountInTheirOwnWindow() {
        token("m", 1, 3, T0.plusSeconds(9));
        token("m", 1, 1, T0.plusSeconds(1));
        token("m", 1, 7, T0.plusSeconds(14));   // opens the next window
        token("m", 1, 5, T0.plusSeconds(5));    // 9 s behind the newest: inside the 10 s grace
        LatencyStats first = latest("10s", T0);
        assertThat(first.outputTokens()).isEqualTo(3);
        assertThat(first.itlMs()).isEqualTo(new LatencyStats.Percentiles(3, 5, 5, 5));
        assertThat(latest("10s", T0.plusSeconds(10)).outputTokens()).isEqualTo(1);
    }

    @Test
    void aRecordLaterThanTheGraceIsDroppedAndTheWindowStaysAsItWas() {
        token("m", 0, 40, T0.plusSeconds(2));
        token("m", 0, 60, T0.plusSeconds(21));  // stream time 21 s: [0 s, 10 s) closed at 10 s + 10 s grace
        int updatesBefore = tumblingUpdates(T0);
        token("m", 0, 900, T0.plusSeconds(3));    // the hopping minutes still take it; the closed 10 s window not
        assertThat(tumblingUpdates(T0)).as("updates of the closed window").isEqualTo(updatesBefore);
        assertThat(latest("10s", T0).ttftMs().max()).isEqualTo(40.0);
        assertThat(stored("m", T0).ttft().getTotalCount()).isEqualTo(1);
        assertThat(LatencyStats.millis(stored("m", T0).ttft().getMaxValue())).isEqualTo(40.0);
    }

    @Test
    void aWindowWithASingleTokenHasItsPercentilesAtThatTokenAndNoInterTokenLatency() {
        token("m", 0, 12.5, T0.plusSeconds(35));
        LatencyStats s = latest("10s", T0.plusSeconds(30));
        assertThat(s.requests()).isZero();
        assertThat(s.outputTokens()).isEqualTo(1);
        assertThat(s.tokensPerSecond()).isEqualTo(0.1);
        assertThat(s.ttftMs()).isEqualTo(new LatencyStats.Percentiles(12.5, 12.5, 12.5, 12.5));
        assertThat(s.itlMs()).isNull();
        assertThat(s.e2eMsP99()).isNull();
    }

    @Test
    void theHoppingMinuteHoldsEveryWindowThatCoversTheRecord() {
        token("m", 0, 8, T0.plusSeconds(15));
        Map<Instant, LatencyStats> hopping = latestByStart("1m");
        // windows start every 10 s and last 60 s: those covering 12:00:15 start at 11:59:20 ... 12:00:10
        assertThat(hopping.keySet()).containsExactlyInAnyOrder(T0.minusSeconds(40), T0.minusSeconds(30),
                T0.minusSeconds(20), T0.minusSeconds(10), T0, T0.plusSeconds(10));
        LatencyStats last = hopping.get(T0.plusSeconds(10));
        assertThat(last.end()).isEqualTo(T0.plusSeconds(70));
        assertThat(last.outputTokens()).isEqualTo(1);
        assertThat(last.tokensPerSecond()).isEqualTo(0.0167);
    }

    @Test
    void aHoppingWindowIsTheUnionOfTheTumblingWindowsItSpans() {
        token("m", 0, 10, T0.plusSeconds(5));    // tumbling [0 s, 10 s)
        token("m", 0, 30, T0.plusSeconds(25));   // tumbling [20 s, 30 s)
        token("m", 1, 4, T0.plusSeconds(65));    // tumbling [60 s, 70 s): outside the hopping [0 s, 60 s)
        Map<Instant, LatencyStats> hopping = latestByStart("1m");
        LatencyStats both = hopping.get(T0);
        assertThat(both.outputTokens()).isEqualTo(2);
        assertThat(both.ttftMs()).isEqualTo(new LatencyStats.Percentiles(10, 30, 30, 30));
        assertThat(both.itlMs()).isNull();
        LatencyStats later = hopping.get(T0.plusSeconds(20));
        assertThat(later.outputTokens()).as("[20 s, 80 s) holds the second and third").isEqualTo(2);
        assertThat(later.ttftMs().max()).isEqualTo(30.0);
        assertThat(later.itlMs().max()).isEqualTo(4.0);
    }

    @Test
    void hoppingWindowsMustBeMadeOfWholeTumblingWindows() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HoppingWindows(Duration.ofSeconds(10),
                Duration.ofSeconds(45), Duration.ofSeconds(10))).hasMessageContaining("multiples of the tumbling window");
        HoppingWindows w = new HoppingWindows(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofSeconds(20));
        assertThat(w.containing(T0.plusSeconds(30))).containsExactly(T0.minusSeconds(20), T0, T0.plusSeconds(20));
        assertThat(w.startingBetween(T0.plusSeconds(1), T0.plusSeconds(40))).containsExactly(T0.plusSeconds(20), T0.plusSeconds(40));
    }

    @Test
    void modelsAreAggregatedApart() {
        token("a", 0, 10, T0.plusSeconds(1));
        token("b", 0, 30, T0.plusSeconds(2));
        token("b", 1, 5, T0.plusSeconds(3));
        Map<String, LatencyStats> byModel = new LinkedHashMap<>();
        for (LatencyStats s : statsSoFar()) {
            if (s.window().equals("10s")) {
                byModel.put(s.model(), s);
            }
        }
        assertThat(byModel.get("a").outputTokens()).isEqualTo(1);
        assertThat(byModel.get("b").outputTokens()).isEqualTo(2);
        assertThat(byModel.get("b").ttftMs().p99()).isEqualTo(30.0);
    }

    @Test
    void anAlertIsRaisedOnceWhenAClosedWindowBreaksAnObjectiveAndNotBefore() {
        token("m", 0, 2500, T0.plusSeconds(1));    // TTFT 2.5 s > 2 s
        token("m", 1, 150, T0.plusSeconds(2));     // ITL 150 ms < 200 ms
        token("m", 0, 100, T0.plusSeconds(12));    // a healthy next window
        assertThat(alerts.isEmpty()).as("the window is still open (grace)").isTrue();
        token("m", 0, 100, T0.plusSeconds(31));    // stream time past 10 s + 10 s grace and 20 s + 10 s
        List<SloAlert> raised = alerts.readValuesToList().stream().map(v -> AnalyticsJson.read(v, SloAlert.class)).toList();
        assertThat(raised).hasSize(1);
        SloAlert alert = raised.get(0);
        assertThat(alert.metric()).isEqualTo("ttft");
        assertThat(alert.p99Ms()).isEqualTo(2500.0);
        assertThat(alert.thresholdMs()).isEqualTo(2000.0);
        assertThat(alert.start()).isEqualTo(T0);
        assertThat(alert.window()).isEqualTo("10s");
    }

    @Test
    void recordsThatAreNotContractJsonAreSkippedAndTheTopologyGoesOn() {
        tokens.pipeInput("x".getBytes(), "not json".getBytes(), T0.plusSeconds(1));
        tokens.pipeInput("x".getBytes(), null, T0.plusSeconds(1));
        answers.pipeInput("x".getBytes(), "{\"version\":1}".getBytes(), T0.plusSeconds(1));
        token("m", 0, 20, T0.plusSeconds(2));
        assertThat(latest("10s", T0).outputTokens()).isEqualTo(1);
    }

    @Test
    void statsAndAlertsMatchTheirJsonSchemas() throws Exception {
        token("m", 0, 2500, T0.plusSeconds(1));
        token("m", 1, 300, T0.plusSeconds(2));
        answer("m", 3000, T0.plusSeconds(3));
        token("m", 0, 1, T0.plusSeconds(40));
        for (byte[] value : stats.readValuesToList()) {
            SchemaCheck.assertValid("trol.latency-stats.v1.schema.json", value);
        }
        List<byte[]> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(2);
        for (byte[] value : raised) {
            SchemaCheck.assertValid("trol.slo-alerts.v1.schema.json", value);
        }
    }

    private void token(String model, int index, double latencyMs, Instant at) {
        String id = model + "-" + (index == 0 ? ++requestCounter : requestCounter);
        TokenEvent event = new TokenEvent(id, model, index, 7, "x", at.toEpochMilli() * 1000, latencyMs, 1, false);
        tokens.pipeInput(id.getBytes(), ContractJson.write(event), at);
    }

    private void answer(String model, double e2eMs, Instant at) {
        String id = model + "-answer-" + at.toEpochMilli();
        TrolAnswer a = new TrolAnswer(id, model, "fine", FinishReason.STOP, null, new Usage(10, 0, 2),
                new Timings(0.1, null, 1.0, 2.0, e2eMs, 1.0));
        answers.pipeInput(id.getBytes(), ContractJson.write(a), at);
    }

    private LatencyStats latest(String window, Instant start) {
        LatencyStats s = latestByStart(window).get(start);
        assertThat(s).as("stats for the %s window at %s", window, start).isNotNull();
        return s;
    }

    private Map<Instant, LatencyStats> latestByStart(String window) {
        Map<Instant, LatencyStats> latest = new LinkedHashMap<>();
        for (LatencyStats s : statsSoFar()) {
            if (s.window().equals(window)) {
                latest.put(s.start(), s);
            }
        }
        return latest;
    }

    private int tumblingUpdates(Instant start) {
        return (int) statsSoFar().stream().filter(s -> s.window().equals("10s") && s.start().equals(start)).count();
    }

    /** Every stats record the topology has written so far (reading the output topic drains it). */
    private List<LatencyStats> statsSoFar() {
        driver.advanceWallClockTime(HoppingStatsEmitter.EMIT_INTERVAL);   // the hopping windows are emitted on a timer
        stats.readValuesToList().forEach(v -> written.add(AnalyticsJson.read(v, LatencyStats.class)));
        return written;
    }

    private LatencyWindow stored(String model, Instant start) {
        WindowStore<String, LatencyWindow> store = driver.getWindowStore(LatencyTopology.TUMBLING_STORE);
        try (WindowStoreIterator<LatencyWindow> it = store.fetch(model, start, start)) {
            assertThat(it.hasNext()).isTrue();
            return it.next().value;
        }
    }

    /** The defaults of {@link AnalyticsSettings}, without booting Quarkus. */
    record TestSettings(Duration tumblingWindow, Duration hoppingWindow, Duration hoppingAdvance, Duration grace,
                        Duration retention, Duration ttft, Duration itl) implements AnalyticsSettings {

        static final TestSettings DEFAULTS = new TestSettings(Duration.ofSeconds(10), Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(15), Duration.ofSeconds(2),
                Duration.ofMillis(200));

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public java.util.Optional<String> advertisedHost() {
            return java.util.Optional.empty();
        }

        @Override
        public Duration closeTimeout() {
            return Duration.ofSeconds(10);
        }

        @Override
        public Slo slo() {
            return new Slo() {
                @Override
                public Duration ttftP99() {
                    return ttft;
                }

                @Override
                public Duration itlP99() {
                    return itl;
                }
            };
        }
    }
}
