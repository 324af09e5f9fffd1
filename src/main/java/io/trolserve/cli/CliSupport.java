package io.trolserve.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import io.trolserve.engine.GenerationResult;

/** Small helpers shared by the subcommands. */
final class CliSupport {

    private CliSupport() {
    }

    /** The trol.answers timing fields, in milliseconds. */
    static Map<String, Object> timings(GenerationResult r) {
        long[] gaps = r.tokenNanos();
        long total = 0;
        for (long g : gaps) {
            total += g;
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("visionMs", millis(r.visionNanos()));
        t.put("prefillMs", millis(r.prefillNanos()));
        t.put("ttftMs", gaps.length == 0 ? null : millis(gaps[0]));
        t.put("e2eMs", millis(total));
        t.put("meanItlMs", gaps.length < 2 ? null : millis((total - gaps[0]) / (gaps.length - 1)));
        return t;
    }

    static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
