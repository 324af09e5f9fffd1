package io.trolserve.cli.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.ModelFlops;
import io.trolserve.model.TrolModel;
import io.trolserve.service.LoadedCheckpoint;
import io.trolserve.service.ModelChoice;
import io.trolserve.vision.DecodedImage;

/**
 * Prefill and decode throughput of one request on the plain path: a prompt of text tokens around
 * one 640x480 image's tokens (1225 at TroL-1.8B/7B's 490 px; TroL-3.8B tiles it, 256 a tile), then greedy decoding of a fixed number of tokens
 * with no stop token. Reports medians over the runs after the warm-up runs, then the floors the
 * machine sets ({@link MachineRates}): a decode step cannot beat the weight bytes it reads divided
 * by memory bandwidth, a prefill cannot beat its FLOPs divided by the GEMM rate.
 */
final class SingleRequestBench {

    /**
     * What to run: prompt shape, tokens to generate, measured and unmeasured runs, and prompt
     * tokens per prefill step (0: the whole prompt in one, as the official code does; a chunk
     * bounds the step's temporaries, which at TroL-1.8B's size and 1300 tokens exceed 14 GB).
     */
    record Options(int textTokens, int newTokens, int runs, int warmup, int prefillChunk) {
    }

    private SingleRequestBench() {
    }

    static void run(ModelChoice choice, Options o, PrintStream out) {
        long loadStart = System.nanoTime();
        try (LoadedCheckpoint loaded = LoadedCheckpoint.load(choice)) {
            TrolModel model = loaded.model();
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            Random random = new Random(1);
            DecodedImage image = noise(640, 480, random);
            int imageTokens = model.imagePolicy().tokens(image);   // one tile, or TroL-3.8B's grid and thumbnail
            int[] prompt = prompt(model, o.textTokens(), imageTokens, random);
            PlainGenerator generator = PlainGenerator.withoutTokenizer(model, o.prefillChunk());
            EngineRequest request = EngineRequest.of("bench", prompt, List.of(image), SamplingParams.greedy(o.newTokens()));
            for (int i = 0; i < o.warmup(); i++) {
                generator.generate(request);
            }
            double[] vision = new double[o.runs()];
            double[] prefill = new double[o.runs()];
            double[] decode = new double[o.runs()];
            for (int i = 0; i < o.runs(); i++) {
                RequestOutput r = generator.generate(request);
                RequestOutput.RequestTimings t = r.timings();
                vision[i] = t.visionMs();
                prefill[i] = prompt.length / (t.prefillMs() / 1e3);
                // first token to the end: the whole decode, without the rounding of a mean per token
                decode[i] = (r.completionTokens() - 1) / ((t.e2eMs() - t.ttftMs()) / 1e3);
            }
            out.printf("model %s on %s: %d layers, hidden %d, %d prompt tokens (%d image, prefill chunk %s), %d new"
                            + " tokens, %d runs after %d warm-up%n", choice.dir(), choice.placement(),
                    model.config().numLayers(), model.config().hiddenSize(), prompt.length, imageTokens,
                    o.prefillChunk() > 0 ? o.prefillChunk() : "whole", o.newTokens(), o.runs(), o.warmup());
            out.printf("load s                     %10.1f%n", loadSeconds);
            out.printf("vision encode ms (median)  %10.1f%n", median(vision));
            out.printf("prefill tokens/s (median)  %10.1f%n", median(prefill));
            out.printf("decode tokens/s (median)   %10.1f%n", median(decode));
            floors(model, prompt.length, imageTokens, median(prefill), median(decode), out);
        }
    }

    /** The decode step against weight bytes / bandwidth, the prefill against FLOPs / GEMM rate. */
    private static void floors(TrolModel model, int promptTokens, int imageTokens, double prefillPerSecond, double decodePerSecond,
                               PrintStream out) {
        MachineRates.Rates rates = MachineRates.measure(model.placement(), model.config().hiddenSize(),
                model.config().intermediateSize());
        long weightBytes = model.decodeStepBytes();
        double stepMs = 1e3 / decodePerSecond;
        double floorMs = 1e3 * rates.streamSeconds(weightBytes);
        out.printf("machine: GEMM %.1f GFLOP/s, memory bandwidth %.1f GB/s (%s)%n", rates.gemmGflops(),
                rates.bandwidthGBps(), model.placement());
        out.printf("decode step ms (median)    %10.2f   floor %.2f ms = %.3f GB of weights / %.1f GB/s: %.2fx the floor%n",
                stepMs, floorMs, weightBytes / 1e9, rates.bandwidthGBps(), stepMs / floorMs);
        ModelFlops flops = ModelFlops.of(model);
        double prefillFlops = flops.prompt(promptTokens, imageTokens);
        double prefillMs = 1e3 * promptTokens / prefillPerSecond;
        double prefillFloorMs = 1e3 * rates.computeSeconds(prefillFlops);
        out.printf("prefill ms (median)        %10.1f   floor %.1f ms = %.1f GFLOP / %.1f GFLOP/s: %.2fx the floor%n",
                prefillMs, prefillFloorMs, prefillFlops / 1e9, rates.gemmGflops(), prefillMs / prefillFloorMs);
    }

    private static int[] prompt(TrolModel model, int textTokens, int images, Random random) {
        int[] ids = new int[textTokens + images];
        int before = textTokens * 2 / 3;
        for (int i = 0; i < ids.length; i++) {
            boolean image = i >= before && i < before + images;
            ids[i] = image ? model.imageTokenId() : 3 + random.nextInt(model.config().vocabSize() - 6);
        }
        return ids;
    }

    static DecodedImage noise(int width, int height, Random random) {
        byte[] rgb = new byte[width * height * 3];
        random.nextBytes(rgb);
        // the plain path keeps no vision cache: the hash is only a label
        return new DecodedImage(width, height, rgb, "noise-" + width + "x" + height);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
