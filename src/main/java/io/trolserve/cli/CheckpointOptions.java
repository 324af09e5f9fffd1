package io.trolserve.cli;

import java.nio.file.Path;

import io.trolserve.model.Libtorch;
import io.trolserve.model.Placement;
import io.trolserve.service.CheckpointLocation;
import io.trolserve.service.ModelSettings;
import picocli.CommandLine.Option;

/** The options every model-running subcommand takes; unset ones fall back to configuration. */
public class CheckpointOptions {

    @Option(names = "--model", description = "TroL checkpoint directory (default: trol.model.path, else the tiny checkpoint)")
    Path model;

    @Option(names = "--device", description = "auto, cpu, cuda, cuda:N (default: trol.device)")
    String device;

    @Option(names = "--dtype", description = "auto, float32, bfloat16, float16 (default: trol.dtype)")
    String dtype;

    public Path dir(ModelSettings settings) {
        return CheckpointLocation.resolve(model, settings);
    }

    /** Device and dtype; also applies trol.blas-threads, which belongs to the same choice of where to run. */
    public Placement placement(ModelSettings settings) {
        Placement placement = Placement.resolve(device != null ? device : settings.device(),
                dtype != null ? dtype : settings.dtype());
        Libtorch.setBlasThreads(settings.blasThreads());
        return placement;
    }
}
