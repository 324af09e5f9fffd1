package io.trolserve.cli;

import java.nio.file.Path;

import io.trolserve.service.ModelChoice;
import io.trolserve.service.ModelSettings;
import picocli.CommandLine.Option;

/** The options every model-running subcommand takes; unset ones fall back to configuration. */
public class CheckpointOptions {

    @Option(names = "--model", description = "TroL checkpoint directory (default: trol.model.path, else the demo TroL shipped in the jar)")
    Path model;

    @Option(names = "--device", description = "auto, cpu, cuda, cuda:N (default: trol.device)")
    String device;

    @Option(names = "--dtype", description = "auto, float32, bfloat16, float16 (default: trol.dtype)")
    String dtype;

    /** The checkpoint, device and dtype these options and the settings choose. */
    public ModelChoice choice(ModelSettings settings) {
        return ModelChoice.of(settings, model, device, dtype);
    }
}
