package io.trolserve.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import io.trolserve.engine.RequestOutput;

/** Small helpers shared by the subcommands. */
final class CliSupport {

    private CliSupport() {
    }

    /** The trol.answers timing fields of the plain path, in milliseconds (it has no queue). */
    static Map<String, Object> timings(RequestOutput r) {
        RequestOutput.RequestTimings timings = r.timings();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("visionMs", timings.visionMs());
        t.put("prefillMs", timings.prefillMs());
        t.put("ttftMs", timings.ttftMs());
        t.put("e2eMs", timings.e2eMs());
        t.put("meanItlMs", timings.meanItlMs());
        return t;
    }
}
