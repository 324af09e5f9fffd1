package io.trolserve.service;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Which checkpoint to load, and where and how to run it. */
@ConfigMapping(prefix = "trol")
public interface ModelSettings {

    Model model();

    /** OpenBLAS worker threads per matmul on CPU; 0 = one per core (its default). */
    @WithDefault("0")
    int blasThreads();

    /** auto, cpu, cuda or cuda:N; auto takes CUDA when libtorch sees a GPU. */
    @WithDefault("auto")
    String device();

    /** auto, float32, bfloat16 or float16; auto is bfloat16 on CUDA and float32 on CPU. */
    @WithDefault("auto")
    String dtype();

    interface Model {
        /** A TroL checkpoint directory (TROL_MODEL_PATH); absent means the demo TroL below. */
        Optional<Path> path();

        /** Where the demo TroL shipped in the jar is unpacked on first use when no path is set. */
        @WithDefault("${user.home}/.cache/trol-serve/demo")
        Path demoDir();
    }
}
