package io.trolserve.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.concurrent.Callable;

import io.trolserve.engine.EngineConfig;
import io.trolserve.model.ModelFlops;
import io.trolserve.model.TrolModel;
import io.trolserve.service.EngineSettings;
import io.trolserve.service.LoadedCheckpoint;
import io.trolserve.service.ModelChoice;
import io.trolserve.text.TrolTokenizer;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench engine}: continuous batching with and without the inter-token target against static
 * batching and one request at a time on one fixed workload, each mode's wall time against the
 * workload's compute floor (its FLOPs at a GEMM rate measured on the spot), then the Java share of
 * a decode step at a fixed batch size.
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Continuous (with and without the latency target) vs static vs one-at-a-time batching on a fixed"
                + " image-question workload, against its compute floor.")
class EngineBenchCommand extends BenchCommand.ModelBench implements Callable<Integer> {

    @Option(names = "--requests", defaultValue = "64") int requests;
    @Option(names = "--rate", defaultValue = "2.0", description = "Poisson arrivals per second") double rate;
    @Option(names = "--min-tokens", defaultValue = "8") int minTokens;
    @Option(names = "--max-tokens", defaultValue = "256") int maxTokens;
    @Option(names = "--static-batch", defaultValue = "8") int staticBatch;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--image-sizes", split = ",", paramLabel = "WxH", description = "Image sizes the requests draw from,"
            + " e.g. 448x448,1000x300,500x300 (TroL-3.8B tiles them into 1, 4 and 7 tiles; TroL-1.8B/7B resize every"
            + " upload to one square). Default: the model's input side, square") List<String> imageSizes;
    @Option(names = "--modes", defaultValue = "CONTINUOUS,CONTINUOUS_NO_TARGET,STATIC,ONE_AT_A_TIME", split = ",")
    List<EngineBench.Mode> modes;
    @Option(names = "--itl-targets-ms", split = ",", description = "Run the CONTINUOUS mode once per inter-token target"
            + " given here (milliseconds), instead of once at trol.engine.itl-target") List<Long> targetsMs;
    @Option(names = "--step-trace", description = "Write every step as a CSV line (mode, sequences, rows, prompt tokens,"
            + " image encodes, predicted ms, actual ms) to this file") Path stepTrace;
    @Option(names = "--java-share-batch", defaultValue = "16") int shareBatch;
    @Option(names = "--java-share-steps", defaultValue = "40") int shareSteps;

    @Inject
    EngineSettings engineSettings;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        ModelChoice choice = choice();
        try (PrintStream trace = stepTrace == null ? null : new PrintStream(Files.newOutputStream(stepTrace), true,
                StandardCharsets.UTF_8);
             LoadedCheckpoint loaded = LoadedCheckpoint.load(choice)) {
            TrolModel model = loaded.model();
            TrolTokenizer tokenizer = loaded.tokenizer();
            EngineConfig config = engineSettings.toConfig(model);
            List<BenchWorkload.ImageSize> sizes = imageSizes == null || imageSizes.isEmpty()
                    ? List.of(new BenchWorkload.ImageSize(model.imageSize(), model.imageSize()))
                    : imageSizes.stream().map(BenchWorkload.ImageSize::parse).toList();
            BenchWorkload workload = BenchWorkload.generate(tokenizer, model.promptFormat(), model.imagePolicy(),
                    sizes, requests, rate, minTokens, maxTokens, seed);
            IntSummaryStatistics imageTokens = workload.items().stream().mapToInt(BenchWorkload.Item::imageTokens)
                    .summaryStatistics();
            out.printf("model %s on %s: hidden %d, %d layers; engine %s%n", choice.dir(), choice.placement(),
                    model.config().hiddenSize(), model.config().numLayers(), config);
            out.printf("images %s: %d..%d image tokens a request (mean %.0f)%n", sizes, imageTokens.getMin(),
                    imageTokens.getMax(), imageTokens.getAverage());
            out.printf("workload: %d image-questions (own image each), outputs %d..%d tokens (%d in all), Poisson %.2f/s,"
                    + " seed %d; static batches of %d%n", requests, minTokens, maxTokens, workload.outputTokens(), rate,
                    seed, staticBatch);
            MachineRates.Rates rates = MachineRates.measure(model.placement(), model.config().hiddenSize(),
                    model.config().intermediateSize());
            double flops = workloadFlops(model, workload);
            double floor = rates.computeSeconds(flops);
            out.printf("compute floor: %.2f TFLOP of model matmuls at %.1f GFLOP/s (best GEMM, measured now) = %.1f s;"
                    + " model-shaped GEMM %.1f GFLOP/s; memory %.1f GB/s%n", flops / 1e12, rates.gemmGflops(), floor,
                    rates.shapedGflops(), rates.bandwidthGBps());
            List<EngineBench.Result> results = new ArrayList<>();
            for (EngineBench.Mode mode : modes) {
                for (EngineConfig c : mode == EngineBench.Mode.CONTINUOUS ? targetConfigs(config) : List.of(config)) {
                    results.add(runMode(out, model, tokenizer, c, workload, mode, floor, trace));
                }
            }
            printRatios(out, results);
            JavaShareProbe.Share share = JavaShareProbe.measure(model, tokenizer, config, shareBatch, shareSteps);
            out.printf("decode step at batch %d: %.1f ms; Java's own share %.2f%% (%d samples in libtorch ops, %d elsewhere)%n",
                    share.batch(), share.meanStepMs(), share.javaPercent(), share.libtorchSamples(), share.javaSamples());
        }
        return 0;
    }

    private EngineBench.Result runMode(PrintStream out, TrolModel model, TrolTokenizer tokenizer, EngineConfig config,
                                       BenchWorkload workload, EngineBench.Mode mode, double floor, PrintStream trace) {
        EngineBench.Result r = EngineBench.run(model, tokenizer, config, workload, mode, staticBatch, trace);
        String name = mode == EngineBench.Mode.CONTINUOUS ? "CONTINUOUS " + config.itlTarget().toMillis() + "ms" : mode.name();
        out.printf("%-20s %7.1f tok/s %7.1f s (%4.2fx floor)  batch %5.1f  TTFT p50 %8.1f p99 %8.1f ms"
                + "  ITL p50 %7.1f p99 %7.1f ms  longest gap %7.1f ms  peak RSS %6d MiB%n",
                name, r.tokensPerSecond(), r.seconds(), r.seconds() / floor, r.meanBatch(), r.ttftMs().p50(),
                r.ttftMs().p99(), r.itlMs().p50(), r.itlMs().p99(), r.longestGapMs(), r.peakRssMib());
        if (mode.continuous()) {
            out.printf("%-20s %s; median prediction error %.0f%%%n", "", r.stepCostFit(), 100 * r.predictionErrorP50());
        }
        return r;
    }

    private List<EngineConfig> targetConfigs(EngineConfig config) {
        if (targetsMs == null || targetsMs.isEmpty()) {
            return List.of(config);
        }
        return targetsMs.stream().map(ms -> config.withItlTarget(Duration.ofMillis(ms))).toList();
    }

    /** The workload's matmul FLOPs: each request's image, traversed prompt and decode steps. */
    private static double workloadFlops(TrolModel model, BenchWorkload workload) {
        ModelFlops flops = ModelFlops.of(model);
        double total = 0;
        for (BenchWorkload.Item item : workload.items()) {
            int tiles = item.request().images().stream().mapToInt(i -> model.imagePolicy().tiles(i.width(), i.height())).sum();
            total += flops.request(item.request().promptIds().length, item.imageTokens(), tiles,
                    item.request().params().maxNewTokens());
        }
        return total;
    }

    /** Each continuous run with a target against static, one at a time and the run without a target. */
    private static void printRatios(PrintStream out, List<EngineBench.Result> results) {
        EngineBench.Result unbounded = find(results, EngineBench.Mode.CONTINUOUS_NO_TARGET);
        EngineBench.Result fixed = find(results, EngineBench.Mode.STATIC);
        EngineBench.Result single = find(results, EngineBench.Mode.ONE_AT_A_TIME);
        for (EngineBench.Result c : results) {
            if (c.mode() != EngineBench.Mode.CONTINUOUS) {
                continue;
            }
            String name = "continuous " + c.itlTarget().toMillis() + "ms";
            if (fixed != null) {
                out.printf("%s / static: %.2fx tokens/s; TTFT p99 %.2fx; ITL p99 %.2fx%n", name,
                        c.tokensPerSecond() / fixed.tokensPerSecond(), c.ttftMs().p99() / fixed.ttftMs().p99(),
                        c.itlMs().p99() / fixed.itlMs().p99());
            }
            if (!c.itlTarget().isZero()) {
                out.printf("%s: ITL p99 %.2fx the target%n", name, c.itlMs().p99() / c.itlTarget().toMillis());
            }
            if (unbounded != null) {
                out.printf("%s / without target: %.2fx tokens/s; ITL p99 %.2fx; longest gap %.2fx%n", name,
                        c.tokensPerSecond() / unbounded.tokensPerSecond(), c.itlMs().p99() / unbounded.itlMs().p99(),
                        c.longestGapMs() / unbounded.longestGapMs());
            }
            if (single != null) {
                out.printf("%s / one at a time: %.2fx tokens/s%n", name, c.tokensPerSecond() / single.tokensPerSecond());
            }
        }
    }

    private static EngineBench.Result find(List<EngineBench.Result> results, EngineBench.Mode mode) {
        return results.stream().filter(r -> r.mode() == mode).findFirst().orElse(null);
    }
}
