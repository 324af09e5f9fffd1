package io.trolserve.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.trolserve.engine.GenerationResult;

/** Small helpers shared by the subcommands. */
final class CliSupport {

    private CliSupport() {
    }

    /** The --model option, else trol.model.path (TROL_MODEL_PATH), else the tiny default checkpoint. */
    static Path modelDir(Path option, ModelSettings settings) {
        if (option != null) {
            return option;
        }
        if (settings.model().path().isPresent()) {
            return settings.model().path().get();
        }
        try {
            return TinyCheckpointFiles.ensureDefault(settings.model().tinyDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the default tiny checkpoint to " + settings.model().tinyDir(), e);
        }
    }

    /** The model name answers carry: the checkpoint directory's name (TroL-1.8B, tiny, ...). */
    static String modelName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "trol" : name.toString();
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
