package io.trolserve.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;

/**
 * Native-memory flatness: the process RSS after a warm-up, then after many more consecutive
 * generations (each with an image, a prefill and a few decode steps). Growth means a per-step
 * native allocation escaped its scope.
 */
public final class MemoryBench {

    /** RSS figures in KiB. */
    public record Report(int generations, long rssAfterWarmupKib, long rssAfterKib) {

        public double growthPercent() {
            return 100.0 * (rssAfterKib - rssAfterWarmupKib) / rssAfterWarmupKib;
        }

        @Override
        public String toString() {
            return String.format("RSS after warm-up %d MiB, after %d more generations %d MiB: growth %.2f%%",
                    rssAfterWarmupKib / 1024, generations, rssAfterKib / 1024, growthPercent());
        }
    }

    private MemoryBench() {
    }

    public static Report run(Path dir, Placement placement, int warmup, int generations, int newTokens) {
        try (TrolModel model = TrolModel.load(dir, placement)) {
            PlainGenerator generator = new PlainGenerator(model);
            Random random = new Random(5);
            for (int i = 0; i < warmup; i++) {
                generate(generator, model, random, newTokens);
            }
            System.gc();
            long before = rssKib();
            for (int i = 0; i < generations; i++) {
                generate(generator, model, random, newTokens);
            }
            System.gc();
            return new Report(generations, before, rssKib());
        }
    }

    private static void generate(PlainGenerator generator, TrolModel model, Random random, int newTokens) {
        int images = model.imageTokensPerImage();
        int[] prompt = new int[12 + images];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = i >= 6 && i < 6 + images ? model.config().imageTokenId() : 3 + random.nextInt(200);
        }
        PlainGenerator.RgbImage image = SingleRequestBench.noise(24 + random.nextInt(40), 24 + random.nextInt(40), random);
        generator.generate(new PlainGenerator.Request(prompt, List.of(image), SamplingParams.greedy(newTokens),
                new int[0], 0, false), (i, t) -> true);
    }

    /** Resident set size of this process, from /proc (Linux). */
    public static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException("no VmRSS line in /proc/self/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
