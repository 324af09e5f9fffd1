package io.trolserve.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.trolserve.model.Placement;
import io.trolserve.service.ModelSettings;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Benchmarks that print figures (see BENCHMARKS.md for the recorded ones). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Print performance figures.",
        subcommands = {BenchCommand.Single.class, BenchCommand.Memory.class, EngineBenchCommand.class,
            KafkaBenchCommand.class})
public class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options every bench shares. */
    abstract static class ModelBench {
        // shared by the subcommands below and by EngineBenchCommand
        @Mixin
        CheckpointOptions checkpoint;

        @Inject
        ModelSettings settings;

        Path dir() {
            return checkpoint.dir(settings);
        }

        Placement placement() {
            return checkpoint.placement(settings);
        }
    }

    @Command(name = "single", mixinStandardHelpOptions = true,
            description = "Prefill and decode tokens/s of one request (TroL-shaped prompt: text around one image).")
    static class Single extends ModelBench implements Callable<Integer> {
        @Option(names = "--new-tokens", defaultValue = "64") int newTokens;
        @Option(names = "--runs", defaultValue = "5") int runs;
        @Option(names = "--warmup", defaultValue = "1", description = "Unmeasured runs first (default ${DEFAULT-VALUE})") int warmup;
        @Option(names = "--text-tokens", defaultValue = "76", description = "Text tokens around the image's tokens") int textTokens;
        @Option(names = "--prefill-chunk", defaultValue = "0", description = "Prompt tokens per prefill step; 0 = whole prompt") int prefillChunk;

        @Override
        public Integer call() {
            SingleRequestBench.run(dir(), placement(),
                    new SingleRequestBench.Options(textTokens, newTokens, runs, warmup, prefillChunk), System.out);
            return 0;
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Process RSS before and after many consecutive generations.")
    static class Memory extends ModelBench implements Callable<Integer> {
        @Option(names = "--generations", defaultValue = "500") int generations;
        @Option(names = "--warmup", defaultValue = "50") int warmup;
        @Option(names = "--new-tokens", defaultValue = "8") int newTokens;

        @Override
        public Integer call() {
            MemoryBench.Report r = MemoryBench.run(dir(), placement(), warmup, generations, newTokens);
            System.out.println(r);
            return r.growthPercent() < 5.0 ? 0 : 1;
        }
    }
}
