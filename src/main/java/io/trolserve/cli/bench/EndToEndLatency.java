package io.trolserve.cli.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** End-to-end latencies (milliseconds) of one run and its achieved rate. */
record EndToEndLatency(int requests, double seconds, double p50Ms, double p99Ms, double maxMs) {

    @Override
    public String toString() {
        return String.format("%5d requests in %6.1f s = %7.1f req/s; end-to-end p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms",
                requests, seconds, requests / seconds, p50Ms, p99Ms, maxMs);
    }

    static EndToEndLatency of(List<Double> latencies, double seconds) {
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new EndToEndLatency(sorted.size(), seconds, at(sorted, 0.5), at(sorted, 0.99), sorted.get(sorted.size() - 1));
    }

    private static double at(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(q * sorted.size()) - 1)));
    }
}
