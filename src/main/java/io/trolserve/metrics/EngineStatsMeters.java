package io.trolserve.metrics;

import static io.trolserve.metrics.MetricNames.BATCH_SIZE;
import static io.trolserve.metrics.MetricNames.GENERATION_TOKENS;
import static io.trolserve.metrics.MetricNames.KV_BLOCKS_FREE;
import static io.trolserve.metrics.MetricNames.KV_BLOCKS_TOTAL;
import static io.trolserve.metrics.MetricNames.KV_BLOCKS_USED;
import static io.trolserve.metrics.MetricNames.NUM_REQUESTS_RUNNING;
import static io.trolserve.metrics.MetricNames.NUM_REQUESTS_WAITING;
import static io.trolserve.metrics.MetricNames.PREEMPTIONS;
import static io.trolserve.metrics.MetricNames.PROMPT_TOKENS;
import static io.trolserve.metrics.MetricNames.TRAVERSAL_PASSES;
import static io.trolserve.metrics.MetricNames.VISION_CACHE;

import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.trolserve.engine.EngineStats;

/**
 * Gauges and counters over the engine's {@link EngineStats} snapshot, each a function evaluated on
 * the scraping thread: the engine thread does nothing for them beyond publishing its snapshot after
 * each step, as it does anyway. Each meter reads the latest snapshot on its own, so two values of
 * one scrape may come from consecutive steps.
 */
final class EngineStatsMeters {

    private EngineStatsMeters() {
    }

    /**
     * @param stats reads the latest snapshot. Micrometer holds a meter's state object weakly, so the
     *              caller must keep {@code stats} reachable for as long as the meters live.
     */
    static void register(MeterRegistry registry, Tags tags, Supplier<EngineStats> stats) {
        gauge(registry, tags, stats, NUM_REQUESTS_RUNNING, null, "Requests holding K/V blocks in the engine",
                s -> s.running());
        gauge(registry, tags, stats, NUM_REQUESTS_WAITING, null, "Requests in the engine waiting to be scheduled",
                s -> s.waiting());
        // the snapshot of the step that finished the last requests still carries that step's size:
        // nothing running means no batch, whatever the last step was
        gauge(registry, tags, stats, BATCH_SIZE, null, "Sequences in the engine's last step (0 when nothing runs)",
                s -> s.running() == 0 ? 0 : s.lastBatchSize());
        gauge(registry, tags, stats, KV_BLOCKS_USED, null, "K/V blocks held by requests",
                s -> s.kvBlocksTotal() - s.kvBlocksFree());
        gauge(registry, tags, stats, KV_BLOCKS_FREE, null,
                "K/V blocks that can be allocated now, cached prefix blocks nobody holds included",
                s -> s.kvBlocksFree());
        gauge(registry, tags, stats, KV_BLOCKS_TOTAL, null, "K/V blocks in the pool", s -> s.kvBlocksTotal());
        gauge(registry, tags, stats, VISION_CACHE, "bytes", "Projected image features held by the vision cache",
                s -> s.visionCacheBytes());

        counter(registry, tags, stats, PROMPT_TOKENS, "Prompt tokens prefilled (prefix-cache hits excluded)",
                s -> s.promptTokens());
        counter(registry, tags, stats, GENERATION_TOKENS, "Tokens generated", s -> s.generatedTokens());
        counter(registry, tags, stats, TRAVERSAL_PASSES,
                "Decoder-layer passes over prompt tokens beyond the first (TroL layer traversal)",
                s -> s.traversalPasses());
        counter(registry, tags, stats, PREEMPTIONS, "Requests preempted to free K/V blocks", s -> s.preemptions());
    }

    private static void gauge(MeterRegistry registry, Tags tags, Supplier<EngineStats> stats, String name, String unit,
                              String description, ToDoubleFunction<EngineStats> value) {
        Gauge.builder(name, stats, s -> value.applyAsDouble(s.get())).tags(tags).baseUnit(unit).description(description)
                .register(registry);
    }

    private static void counter(MeterRegistry registry, Tags tags, Supplier<EngineStats> stats, String name,
                                String description, ToDoubleFunction<EngineStats> value) {
        FunctionCounter.builder(name, stats, s -> value.applyAsDouble(s.get())).tags(tags).description(description)
                .register(registry);
    }
}
