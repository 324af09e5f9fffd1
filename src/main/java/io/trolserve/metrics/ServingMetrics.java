package io.trolserve.metrics;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.trolserve.engine.EngineStats;
import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.TokenOutput;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The serving metrics on {@code /q/metrics}, named as vLLM names its own ({@code vllm:…} there,
 * {@code trol_…} here; see the README, "Metrics") and tagged with the served model.
 *
 * <p>Two sources. Gauges and counters read the engine's {@link EngineStats} snapshot when scraped,
 * so they add no work to the engine thread. Latency histograms are recorded by the Kafka listener
 * from each token and each finished request; that runs on the engine thread, and a Timer update
 * is a bucket search plus a few atomic adds, with no model or tensor access.
 *
 * <p>A {@code @Singleton} rather than {@code @ApplicationScoped}: the per-token call then goes
 * straight to this object instead of through a client proxy.
 */
@Singleton
public class ServingMetrics {

    /** What a request has recorded once per token or once when it finishes; null until bound. */
    private record RequestMeters(Tags tags, Timer ttft, Timer itl, Timer e2e, Timer queue, Timer vision, Timer prefill,
                                 Map<FinishReason, Counter> finished) {
    }

    private final MeterRegistry registry;
    private volatile Supplier<EngineStats> engineStats = () -> EngineStats.EMPTY;
    /** What the gauges read; a field because Micrometer holds gauge state only weakly. */
    private final Supplier<EngineStats> latestStats = () -> engineStats.get();
    private volatile RequestMeters meters;
    private final OnceLog unknownFieldLog = new OnceLog(1000,
            "requests carry field %s, which this version does not define; it is ignored");

    @Inject
    public ServingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Registers every meter for {@code model}, the engine's gauges reading {@code engineStats}.
     * Called once the engine runs: the model name is known only then, and the {@code cli}
     * subcommands, which never start it, thus export none of these. Before this, records are
     * dropped; none can happen, as intake resumes only after the engine has started.
     */
    public synchronized void bind(String model, Supplier<EngineStats> engineStats) {
        Tags tags = Tags.of(MetricNames.TAG_MODEL, model);
        if (meters != null && !meters.tags().equals(tags)) {
            // one process serves one model; the old series would go on reporting this engine under the old name
            throw new IllegalStateException("metrics are bound to " + meters.tags() + ", not model " + model);
        }
        this.engineStats = engineStats;
        if (meters != null) {
            return; // a restarted runtime: the meters read the new engine through latestStats
        }
        EngineStatsMeters.register(registry, tags, latestStats);
        Map<FinishReason, Counter> finished = new EnumMap<>(FinishReason.class);
        for (FinishReason reason : FinishReason.values()) {
            // registered up front so that every reason exports 0 and rate() works from the first scrape;
            // labelled by the lower-case name, as trol.answers names it
            finished.put(reason, Counter.builder(MetricNames.REQUESTS_FINISHED).tags(tags)
                    .tag(MetricNames.TAG_FINISH_REASON, reason.name().toLowerCase(Locale.ROOT))
                    .description("Requests the engine finished, by finish reason").register(registry));
        }
        meters = new RequestMeters(tags,
                LatencyHistograms.timeToFirstToken(registry, tags),
                LatencyHistograms.interTokenLatency(registry, tags),
                LatencyHistograms.e2eRequestLatency(registry, tags),
                LatencyHistograms.requestQueueTime(registry, tags),
                LatencyHistograms.requestVisionTime(registry, tags),
                LatencyHistograms.requestPrefillTime(registry, tags),
                finished);
    }

    /** One generated token (engine thread): the first gives time to first token, the rest inter-token latency. */
    public void token(TokenOutput token) {
        RequestMeters m = meters;
        if (m == null) {
            return;
        }
        (token.index() == 0 ? m.ttft() : m.itl()).record(nanos(token.latencyMs()), TimeUnit.NANOSECONDS);
    }

    /** A request the engine finished, whatever the reason, as it is answered (engine thread). */
    public void finished(RequestOutput out) {
        RequestMeters m = meters;
        if (m == null) {
            return;
        }
        RequestOutput.RequestTimings t = out.timings();
        m.e2e().record(nanos(t.e2eMs()), TimeUnit.NANOSECONDS);
        m.queue().record(nanos(t.queueMs()), TimeUnit.NANOSECONDS);
        if (out.imageTokens() > 0) {
            // a vision-cache hit records 0: that request's image cost nothing to encode
            m.vision().record(nanos(t.visionMs()), TimeUnit.NANOSECONDS);
        }
        if (t.ttftMs() != null) {
            // without a first token the prefill never completed and its time means nothing
            m.prefill().record(nanos(t.prefillMs()), TimeUnit.NANOSECONDS);
        }
        m.finished().get(out.finishReason()).increment();
    }

    /** A record is on the dead-letter topic, for the reason {@code errorCode}. */
    public void deadLettered(String errorCode) {
        RequestMeters m = meters;
        if (m == null) {
            return;
        }
        // error codes are a closed set (the parser's and the preparation's), so the tag stays bounded
        Counter.builder(MetricNames.DLQ_RECORDS).tags(m.tags()).tag(MetricNames.TAG_ERROR_CODE, errorCode)
                .description("Records written to the dead-letter topic, by error code").register(registry).increment();
    }

    /** A record committed without running, for {@code reason} ({@code in-flight}, {@code already-answered}). */
    public void skipped(String reason) {
        RequestMeters m = meters;
        if (m != null) {
            Counter.builder(MetricNames.REQUESTS_SKIPPED).tags(m.tags()).tag(MetricNames.TAG_REASON, reason)
                    .description("Request records committed without running: id in flight here, or already answered")
                    .register(registry).increment();
        }
    }

    /**
     * A field v1 does not define, ignored. Counted without the name (names come from producers, so
     * a tag per name would be unbounded); each distinct name is logged once, up to a bound.
     */
    public void unknownField(String path) {
        RequestMeters m = meters;
        if (m != null) {
            Counter.builder(MetricNames.UNKNOWN_FIELDS).tags(m.tags())
                    .description("Request fields this version does not define, ignored").register(registry).increment();
        }
        unknownFieldLog.once(path);
    }

    private static long nanos(double millis) {
        return Math.round(millis * 1_000_000.0);
    }
}
