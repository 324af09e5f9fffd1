package io.trolserve.cli.bench;

import java.util.concurrent.Callable;

import io.trolserve.cli.CheckpointOptions;
import io.trolserve.engine.EngineConfig;
import io.trolserve.service.EngineSettings;
import io.trolserve.service.LoadedCheckpoint;
import io.trolserve.service.ModelChoice;
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

        ModelChoice choice() {
            return checkpoint.choice(settings);
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
            SingleRequestBench.run(choice(),
                    new SingleRequestBench.Options(textTokens, newTokens, runs, warmup, prefillChunk), System.out);
            return 0;
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Peak RSS of the engine on rounds of image-questions about one image, against weights + K/V pool"
                    + " + vision cache + 1 GiB (engine settings from trol.engine.*), and RSS growth after a warm-up.")
    static class Memory extends ModelBench implements Callable<Integer> {
        @Option(names = "--generations", defaultValue = "2000", description = "Generations in all, warm-up included") int generations;
        @Option(names = "--warmup", defaultValue = "500", description = "Generations before the growth baseline") int warmup;
        @Option(names = "--batch", defaultValue = "32", description = "Requests submitted together per round") int batch;
        @Option(names = "--min-tokens", defaultValue = "8") int minTokens;
        @Option(names = "--max-tokens", defaultValue = "128") int maxTokens;
        @Option(names = "--max-growth-percent", defaultValue = "5.0") double maxGrowth;

        @Inject
        EngineSettings engineSettings;

        @Override
        public Integer call() {
            ModelChoice choice = choice();
            try (LoadedCheckpoint loaded = LoadedCheckpoint.load(choice)) {
                EngineConfig config = engineSettings.toConfig(loaded.model());
                System.out.printf("model %s on %s; engine %s%nworkload: %d generations in rounds of %d about one image,"
                        + " outputs %d..%d tokens%n", choice.dir(), choice.placement(), config, generations, batch,
                        minTokens, maxTokens);
                MemoryBench.Report r = MemoryBench.run(loaded.model(), loaded.tokenizer(), config,
                        new MemoryBench.Workload(batch, minTokens, maxTokens, warmup, generations, 5));
                System.out.println(r);
                return r.withinBound() && r.growthPercent() < maxGrowth ? 0 : 1;
            }
        }
    }
}
