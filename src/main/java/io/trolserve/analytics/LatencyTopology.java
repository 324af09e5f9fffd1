package io.trolserve.analytics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.jboss.logging.Logger;

import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;

/**
 * The latency analytics: {@code trol.tokens} and {@code trol.answers} become latency samples keyed
 * by model, aggregated per tumbling window into HdrHistograms (a window store, queryable by
 * {@code /v1/stats}); the hopping windows are unions of tumbling ones ({@link HoppingWindows}).
 * Every update of either goes to {@code trol.latency-stats}, and each closed tumbling window whose
 * p99 broke an objective goes to {@code trol.slo-alerts}.
 *
 * <p>Event time is the record timestamp: the service stamps token and answer records when it
 * sends them, which is when the token was emitted or the request finished. A record later than the
 * grace period behind the newest one seen is dropped by Kafka Streams (counted in its
 * dropped-records metric), never added to a closed window.
 */
public final class LatencyTopology {

    /** The one window store: the tumbling windows, of which the hopping ones are unions ({@link HoppingWindows}). */
    public static final String TUMBLING_STORE = "latency-tumbling";

    private static final Logger LOG = Logger.getLogger(LatencyTopology.class);

    private final Topics topics;
    private final AnalyticsSettings settings;

    /** The topic names the topology reads and writes. */
    public record Topics(String tokens, String answers, String latencyStats, String sloAlerts) {
    }

    public LatencyTopology(Topics topics, AnalyticsSettings settings) {
        this.topics = topics;
        this.settings = settings;
    }

    public Topology build() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, LatencySample> samples = tokenSamples(builder).merge(answerSamples(builder), Named.as("samples"));
        KGroupedStream<String, LatencySample> byModel = samples.groupByKey(
                Grouped.with("latency-by-model", Serdes.String(), LatencySerdes.sample()));

        KTable<Windowed<String>, LatencyWindow> tumbling = aggregate(byModel, TUMBLING_STORE,
                TimeWindows.ofSizeAndGrace(settings.tumblingWindow(), settings.grace()));

        Produced<String, LatencyStats> toStats = Produced.with(Serdes.String(), LatencySerdes.stats());
        KStream<Windowed<String>, LatencyWindow> updates = tumbling.toStream(Named.as("tumbling-updates"));
        String tumblingName = windowName(settings.tumblingWindow());
        updates.map((window, aggregate) -> KeyValue.pair(window.key(), statsOf(window, tumblingName, aggregate)),
                Named.as("tumbling-stats")).to(topics.latencyStats(), toStats);
        HoppingWindows hopping = hoppingWindows(settings);
        updates.process(() -> new HoppingStatsEmitter(hopping), Named.as("hopping-stats"), TUMBLING_STORE)
                .to(topics.latencyStats(), toStats);

        // an objective is judged once per window, on its final value: suppress until it closes
        tumbling.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("closed-windows"))
                .toStream(Named.as("closed-window-stream"))
                .flatMap((window, aggregate) -> alerts(statsOf(window, windowName(settings.tumblingWindow()), aggregate)),
                        Named.as("slo-check"))
                .to(topics.sloAlerts(), Produced.with(Serdes.String(), LatencySerdes.alert()));
        return builder.build();
    }

    private KStream<String, LatencySample> tokenSamples(StreamsBuilder builder) {
        return builder.stream(topics.tokens(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("tokens"))
                .flatMap((key, value) -> {
                    TokenEvent token = parse(value, ContractJson::readToken, topics.tokens());
                    if (token == null) {
                        return List.of();
                    }
                    LatencySample.Kind kind = token.index() == 0 ? LatencySample.Kind.FIRST_TOKEN : LatencySample.Kind.NEXT_TOKEN;
                    return List.of(KeyValue.pair(token.model(), new LatencySample(kind, LatencySample.micros(token.latencyMs()))));
                }, Named.as("token-samples"));
    }

    private KStream<String, LatencySample> answerSamples(StreamsBuilder builder) {
        return builder.stream(topics.answers(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("answers"))
                .flatMap((key, value) -> {
                    TrolAnswer answer = parse(value, ContractJson::readAnswer, topics.answers());
                    if (answer == null) {
                        return List.of();
                    }
                    Double e2e = answer.timings() == null ? null : answer.timings().e2eMs();
                    long micros = e2e == null ? 0 : LatencySample.micros(e2e);
                    return List.of(KeyValue.pair(answer.model(), new LatencySample(LatencySample.Kind.ANSWER, micros)));
                }, Named.as("answer-samples"));
    }

    /** A record another producer wrote wrongly is skipped (and logged), never allowed to stop the topology. */
    private static <T> T parse(byte[] value, java.util.function.Function<byte[], T> reader, String topic) {
        if (value == null) {
            return null;
        }
        try {
            return reader.apply(value);
        } catch (IllegalArgumentException e) {
            LOG.debugf("skipping a record of %s that is not a v1 contract record: %s", topic, e.getMessage());
            return null;
        }
    }

    private KTable<Windowed<String>, LatencyWindow> aggregate(KGroupedStream<String, LatencySample> byModel, String store,
                                                           TimeWindows windows) {
        Duration size = Duration.ofMillis(windows.size());
        // in memory: a few small histograms per window; rebuilt from the changelog after a restart
        Materialized<String, LatencyWindow, WindowStore<Bytes, byte[]>> materialized = Materialized
                .<String, LatencyWindow>as(Stores.inMemoryWindowStore(store, settings.retention(), size, false))
                .withKeySerde(Serdes.String())
                .withValueSerde(LatencySerdes.window());
        return byModel.windowedBy(windows).aggregate(LatencyWindow::new, (model, sample, window) -> window.add(sample),
                Named.as(store + "-aggregate"), materialized);
    }

    static HoppingWindows hoppingWindows(AnalyticsSettings settings) {
        return new HoppingWindows(settings.tumblingWindow(), settings.hoppingWindow(), settings.hoppingAdvance());
    }

    private static LatencyStats statsOf(Windowed<String> window, String name, LatencyWindow aggregate) {
        return LatencyStats.of(window.key(), name, Instant.ofEpochMilli(window.window().start()),
                Instant.ofEpochMilli(window.window().end()), aggregate);
    }

    private List<KeyValue<String, SloAlert>> alerts(LatencyStats stats) {
        List<KeyValue<String, SloAlert>> alerts = new ArrayList<>();
        double ttftLimit = settings.slo().ttftP99().toNanos() / 1e6;
        double itlLimit = settings.slo().itlP99().toNanos() / 1e6;
        if (stats.ttftMs() != null && stats.ttftMs().p99() > ttftLimit) {
            alerts.add(KeyValue.pair(stats.model(), new SloAlert(stats, SloAlert.TTFT, stats.ttftMs().p99(), ttftLimit)));
        }
        if (stats.itlMs() != null && stats.itlMs().p99() > itlLimit) {
            alerts.add(KeyValue.pair(stats.model(), new SloAlert(stats, SloAlert.INTER_TOKEN, stats.itlMs().p99(), itlLimit)));
        }
        return alerts;
    }

    /** {@code 10s}, {@code 1m}, {@code 2h} or {@code 500ms}: how the window is named in the stats. */
    public static String windowName(Duration size) {
        long millis = size.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
