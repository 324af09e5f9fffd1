package io.trolserve.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.trolserve.model.Placement;

/**
 * Which checkpoint runs, and where: trol.model.path, trol.device and trol.dtype, each of which a
 * command's options may override, and trol.blas-threads. Resolved before anything loads, so that
 * a bad device fails before minutes of loading.
 */
public record ModelChoice(Path dir, Placement placement, int blasThreads) {

    /** What the settings say. */
    public static ModelChoice of(ModelSettings settings) {
        return of(settings, null, null, null);
    }

    /** The settings, with each non-null override in its place. */
    public static ModelChoice of(ModelSettings settings, Path dir, String device, String dtype) {
        Path resolved = dir != null ? dir : configuredDir(settings);
        Placement placement = Placement.resolve(device != null ? device : settings.device(),
                dtype != null ? dtype : settings.dtype());
        return new ModelChoice(resolved, placement, settings.blasThreads());
    }

    /** The checkpoint directory's name (TroL-1.8B, tiny, ...): what answers carry unless a model name is configured. */
    public String modelName() {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "trol" : name.toString();
    }

    /** trol.model.path (TROL_MODEL_PATH), else the demo TroL shipped in the jar, unpacked on first use. */
    private static Path configuredDir(ModelSettings settings) {
        if (settings.model().path().isPresent()) {
            return settings.model().path().get();
        }
        try {
            return DemoCheckpoint.ensureUnpacked(settings.model().demoDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the demo checkpoint to " + settings.model().demoDir(), e);
        }
    }
}
