package io.trolserve.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.trolserve.engine.GenerationResult;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;

/**
 * Prefill and decode throughput of one request on the plain path: a prompt of text tokens around
 * one image's tokens (1225 at TroL's 490 px), then greedy decoding of a fixed number of tokens
 * with no stop token. Reports medians over the runs after one warm-up run.
 */
final class SingleRequestBench {

    private SingleRequestBench() {
    }

    static void run(Path dir, Placement placement, int textTokens, int newTokens, int runs, PrintStream out) {
        try (TrolModel model = TrolModel.load(dir, placement)) {
            Random random = new Random(1);
            int[] prompt = prompt(model, textTokens, random);
            PlainGenerator.RgbImage image = noise(640, 480, random);
            PlainGenerator generator = new PlainGenerator(model);
            PlainGenerator.Request request = new PlainGenerator.Request(prompt, List.of(image),
                    SamplingParams.greedy(newTokens), new int[0], 0, false);
            generator.generate(request, (i, t) -> true);
            double[] vision = new double[runs];
            double[] prefill = new double[runs];
            double[] decode = new double[runs];
            for (int i = 0; i < runs; i++) {
                GenerationResult r = generator.generate(request, (k, t) -> true);
                long decodeNanos = Arrays.stream(r.tokenNanos()).skip(1).sum();
                vision[i] = r.visionNanos() / 1e6;
                prefill[i] = prompt.length / (r.prefillNanos() / 1e9);
                decode[i] = (r.tokenIds().length - 1) / (decodeNanos / 1e9);
            }
            out.printf("model %s on %s: %d layers, hidden %d, %d prompt tokens (%d image), %d new tokens, %d runs%n",
                    dir, placement, model.config().numLayers(), model.config().hiddenSize(), prompt.length,
                    model.imageTokensPerImage(), newTokens, runs);
            out.printf("vision encode ms (median)  %10.1f%n", median(vision));
            out.printf("prefill tokens/s (median)  %10.1f%n", median(prefill));
            out.printf("decode tokens/s (median)   %10.1f%n", median(decode));
        }
    }

    private static int[] prompt(TrolModel model, int textTokens, Random random) {
        int images = model.imageTokensPerImage();
        int[] ids = new int[textTokens + images];
        int before = textTokens * 2 / 3;
        for (int i = 0; i < ids.length; i++) {
            boolean image = i >= before && i < before + images;
            ids[i] = image ? model.config().imageTokenId() : 3 + random.nextInt(model.config().vocabSize() - 6);
        }
        return ids;
    }

    static PlainGenerator.RgbImage noise(int width, int height, Random random) {
        byte[] rgb = new byte[width * height * 3];
        random.nextBytes(rgb);
        return new PlainGenerator.RgbImage(width, height, rgb);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
