package io.trolserve.analytics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The hopping windows, built from the tumbling ones they span rather than aggregated on their
 * own: with the defaults a record would otherwise update seven windows (one tumbling, six
 * hopping), each a decode and an encode of its histograms, and that cost the service a third of
 * its throughput on two cores. A hopping window is exactly the union of the tumbling windows in
 * it (HdrHistograms add without loss), so the size and the advance must be multiples of the
 * tumbling size. A record counts in a hopping window exactly when it counts in its tumbling
 * window: the grace period is the tumbling window's.
 */
final class HoppingWindows {

    /** The tumbling windows of one model whose starts lie in [from, to]. */
    interface TumblingLookup {
        List<LatencyWindow> startingBetween(String model, Instant from, Instant to);
    }

    private final Duration tumbling;
    private final Duration size;
    private final Duration advance;
    private final String name;

    HoppingWindows(Duration tumbling, Duration size, Duration advance) {
        if (size.toMillis() % tumbling.toMillis() != 0 || advance.toMillis() % tumbling.toMillis() != 0
                || advance.compareTo(size) > 0) {
            throw new IllegalArgumentException("trol.analytics: the hopping window (" + size + ") and its advance ("
                    + advance + ") must be multiples of the tumbling window (" + tumbling + "), the advance at most the size");
        }
        this.tumbling = tumbling;
        this.size = size;
        this.advance = advance;
        this.name = LatencyTopology.windowName(size);
    }

    String name() {
        return name;
    }

    Duration size() {
        return size;
    }

    /** Starts of the hopping windows that contain the tumbling window starting at {@code start}, oldest first. */
    List<Instant> containing(Instant tumblingStart) {
        long t = tumblingStart.toEpochMilli();
        long step = advance.toMillis();
        long last = Math.floorDiv(t, step) * step;
        List<Instant> starts = new ArrayList<>();
        for (long h = last; h + size.toMillis() >= t + tumbling.toMillis() && h >= 0; h -= step) {
            starts.add(0, Instant.ofEpochMilli(h));
        }
        return starts;
    }

    /** Starts of the hopping windows starting in [from, to], oldest first. */
    List<Instant> startingBetween(Instant from, Instant to) {
        long step = advance.toMillis();
        List<Instant> starts = new ArrayList<>();
        for (long h = Math.floorDiv(from.toEpochMilli() + step - 1, step) * step; h <= to.toEpochMilli(); h += step) {
            starts.add(Instant.ofEpochMilli(h));
        }
        return starts;
    }

    /** The hopping window at {@code start}, or null when no record fell in it. */
    LatencyStats stats(String model, Instant start, TumblingLookup lookup) {
        List<LatencyWindow> parts = lookup.startingBetween(model, start, start.plus(size).minus(tumbling));
        if (parts.isEmpty()) {
            return null;
        }
        LatencyWindow union = new LatencyWindow();
        parts.forEach(union::merge);
        return LatencyStats.of(model, name, start, start.plus(size), union);
    }
}
