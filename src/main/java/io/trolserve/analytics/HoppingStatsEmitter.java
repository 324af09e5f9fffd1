package io.trolserve.analytics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The stats of every hopping window containing a tumbling window that changed, merged from the
 * tumbling store ({@link HoppingWindows}) once per {@link #EMIT_INTERVAL}.
 *
 * <p>Not in {@link #process}: updates arrive from the record cache's flush, which holds the
 * cache's lock, and reading the store there takes the store's lock second. An interactive query
 * ({@code /v1/stats}) takes them in the other order, and the two deadlocked (seen in the
 * scale-out test). A punctuation reads the store outside the flush, in the query's order.
 */
final class HoppingStatsEmitter implements Processor<Windowed<String>, LatencyWindow, String, LatencyStats> {

    static final Duration EMIT_INTERVAL = Duration.ofSeconds(1);

    private final HoppingWindows hopping;
    /** Model and tumbling-window start of the windows changed since the last emission. */
    private final Set<Changed> changed = new LinkedHashSet<>();
    private ProcessorContext<String, LatencyStats> context;
    private TimestampedWindowStore<String, LatencyWindow> tumbling;

    private record Changed(String model, Instant tumblingStart, long timestamp) {
    }

    HoppingStatsEmitter(HoppingWindows hopping) {
        this.hopping = hopping;
    }

    @Override
    public void init(ProcessorContext<String, LatencyStats> context) {
        this.context = context;
        this.tumbling = context.getStateStore(LatencyTopology.TUMBLING_STORE);
        context.schedule(EMIT_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> emit());
    }

    @Override
    public void process(Record<Windowed<String>, LatencyWindow> update) {
        changed.add(new Changed(update.key().key(), Instant.ofEpochMilli(update.key().window().start()), update.timestamp()));
    }

    private void emit() {
        Set<Changed> due = new LinkedHashSet<>(changed);
        changed.clear();
        Set<String> done = new LinkedHashSet<>();
        for (Changed c : due) {
            for (Instant start : hopping.containing(c.tumblingStart())) {
                if (!done.add(c.model() + "@" + start)) {
                    continue;   // two changed tumbling windows in one hopping window: one emission
                }
                LatencyStats stats = hopping.stats(c.model(), start, this::tumblingWindows);
                if (stats != null) {
                    context.forward(new Record<>(c.model(), stats, c.timestamp()));
                }
            }
        }
    }

    private List<LatencyWindow> tumblingWindows(String model, Instant from, Instant to) {
        List<LatencyWindow> found = new ArrayList<>();
        try (WindowStoreIterator<ValueAndTimestamp<LatencyWindow>> it = tumbling.fetch(model, from, to)) {
            it.forEachRemaining(kv -> found.add(ValueAndTimestamp.getValueOrNull(kv.value)));
        }
        found.removeIf(java.util.Objects::isNull);
        return found;
    }
}
