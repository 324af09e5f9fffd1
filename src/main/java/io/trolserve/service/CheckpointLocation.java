package io.trolserve.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.trolserve.tiny.TinyCheckpointFiles;

/** Which checkpoint directory a command or the service runs, and the model name answers carry. */
public final class CheckpointLocation {

    private CheckpointLocation() {
    }

    /** An explicit directory, else trol.model.path (TROL_MODEL_PATH), else the tiny default checkpoint. */
    public static Path resolve(Path explicit, ModelSettings settings) {
        if (explicit != null) {
            return explicit;
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

    /** The checkpoint directory's name (TroL-1.8B, tiny, ...). */
    public static String modelName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "trol" : name.toString();
    }
}
