package io.trolserve.analytics;

import java.nio.ByteBuffer;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The serdes of the analytics topology: binary inside it, JSON on its output topics. */
final class LatencySerdes {

    private LatencySerdes() {
    }

    /** Kind ordinal and microseconds: what crosses the repartition topic. */
    static Serde<LatencySample> sample() {
        return Serdes.serdeFrom(
                (topic, sample) -> sample == null ? null
                        : ByteBuffer.allocate(1 + Long.BYTES).put((byte) sample.kind().ordinal()).putLong(sample.micros()).array(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    return new LatencySample(LatencySample.Kind.values()[in.get()], in.getLong());
                });
    }

    static Serde<LatencyWindow> window() {
        return Serdes.serdeFrom((topic, window) -> window == null ? null : window.toBytes(),
                (topic, bytes) -> bytes == null ? null : LatencyWindow.fromBytes(bytes));
    }

    static Serde<LatencyStats> stats() {
        return json(LatencyStats.class);
    }

    static Serde<SloAlert> alert() {
        return json(SloAlert.class);
    }

    private static <T> Serde<T> json(Class<T> type) {
        return Serdes.serdeFrom((topic, value) -> value == null ? null : AnalyticsJson.write(value),
                (topic, bytes) -> bytes == null ? null : AnalyticsJson.read(bytes, type));
    }
}
