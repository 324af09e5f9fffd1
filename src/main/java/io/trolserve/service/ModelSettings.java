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
        /** A TroL checkpoint directory (TROL_MODEL_PATH); absent means the tiny checkpoint below. */
        Optional<Path> path();

        /** Where the random-weight tiny checkpoint is written on first use when no path is set. */
        @WithDefault("${user.home}/.cache/trol-serve/tiny")
        Path tinyDir();
    }
}
