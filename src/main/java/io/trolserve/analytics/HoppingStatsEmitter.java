package io.trolserve.analytics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * On each update of a tumbling window, the stats of every hopping window containing it, merged
 * from the tumbling store ({@link HoppingWindows}). Updates arrive as the record cache flushes
 * (about once per commit interval per window), so the merging costs little.
 */
final class HoppingStatsEmitter implements Processor<Windowed<String>, LatencyWindow, String, LatencyStats> {

    private final HoppingWindows hopping;
    private ProcessorContext<String, LatencyStats> context;
    private TimestampedWindowStore<String, LatencyWindow> tumbling;

    HoppingStatsEmitter(HoppingWindows hopping) {
        this.hopping = hopping;
    }

    @Override
    public void init(ProcessorContext<String, LatencyStats> context) {
        this.context = context;
        this.tumbling = context.getStateStore(LatencyTopology.TUMBLING_STORE);
    }

    @Override
    public void process(Record<Windowed<String>, LatencyWindow> update) {
        String model = update.key().key();
        for (Instant start : hopping.containing(Instant.ofEpochMilli(update.key().window().start()))) {
            LatencyStats stats = hopping.stats(model, start, this::tumblingWindows);
            if (stats != null) {
                context.forward(update.withKey(model).withValue(stats));
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
