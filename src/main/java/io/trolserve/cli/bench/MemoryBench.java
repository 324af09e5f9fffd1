package io.trolserve.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bytedeco.pytorch.InferenceMode;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.EngineCore;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.FinishReason;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.engine.TokenOutput;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;
import io.trolserve.vision.DecodedImage;

/**
 * {@code bench memory} (issue 10, "Memory that adds up"): the engine's peak resident memory
 * against {@link MemoryBound}, and its growth over many generations. The workload is rounds of
 * {@code batch} image-questions about one image (the same image every time: the vision cache holds
 * one entry, and with the prefix cache on the requests share its K/V), the real prompt template,
 * output lengths uniform in [min, max] generated in full (EOS ignored); a round runs to its end
 * before the next is submitted. Growth is measured from the end of the warm-up, which must be long
 * enough for the K/V pool's FIFO free list to have handed out every block once: the pool is
 * allocated untouched, and its pages become resident as blocks are first written.
 */
public final class MemoryBench {

    public record Workload(int batch, int minTokens, int maxTokens, int warmup, int generations, long seed) {
    }

    /** RSS figures in KiB; peak is the process's high-water mark (VmHWM), loading included. */
    public record Report(Workload workload, MemoryBound bound, long rssAfterWarmupKib, long rssAfterKib, long peakKib) {

        public double growthPercent() {
            return 100.0 * (rssAfterKib - rssAfterWarmupKib) / rssAfterWarmupKib;
        }

        public boolean withinBound() {
            return peakKib * 1024 <= bound.totalBytes();
        }

        @Override
        public String toString() {
            return String.format("RSS after %d warm-up generations %d MiB, after %d %d MiB: growth %.2f%%%n"
                            + "peak RSS %d MiB, bound %s: %s", workload.warmup(), rssAfterWarmupKib / 1024,
                    workload.generations(), rssAfterKib / 1024, growthPercent(), peakKib / 1024, bound,
                    withinBound() ? "within" : "OVER");
        }
    }

    private MemoryBench() {
    }

    /** Runs on the calling thread, which becomes the engine thread. */
    public static Report run(TrolModel model, TrolTokenizer tokenizer, EngineConfig config, Workload w) {
        Libtorch.prepareComputeThread();
        Random random = new Random(w.seed());
        int size = model.imageSize();
        byte[] rgb = new byte[size * size * 3];
        random.nextBytes(rgb);
        DecodedImage image = new DecodedImage(size, size, rgb, "memory-bench-image");
        int[] prompt = model.promptFormat().encode(tokenizer, "What is in this picture?", true, model.imagePolicy().tokens(image))
                .tokenIds();
        long afterWarmup = -1;
        try (InferenceMode guard = new InferenceMode(); EngineCore core = new EngineCore(model, tokenizer, config)) {
            for (int done = 0; done < w.generations(); ) {
                List<EngineRequest> round = new ArrayList<>();
                for (int i = 0; i < Math.min(w.batch(), w.generations() - done); i++) {
                    int tokens = w.minTokens() + random.nextInt(w.maxTokens() - w.minTokens() + 1);
                    round.add(EngineRequest.of("memory-" + (done + i), prompt, List.of(image),
                            SamplingParams.greedy(tokens).ignoringEos()));
                }
                runToEnd(core, round);
                done += round.size();
                if (afterWarmup < 0 && done >= w.warmup()) {
                    afterWarmup = settledRssKib();
                }
            }
            return new Report(w, MemoryBound.of(model, config), afterWarmup, settledRssKib(), ProcessMemory.peakKib());
        }
    }

    private static void runToEnd(EngineCore core, List<EngineRequest> round) {
        List<String> failures = new ArrayList<>();
        RequestListener listener = new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
            }

            @Override
            public void onFinish(RequestOutput output) {
                if (output.finishReason() != FinishReason.LENGTH) {
                    failures.add(output.requestId() + ": " + output.finishReason() + " " + output.error());
                }
            }
        };
        round.forEach(r -> core.submit(r, listener));
        while (core.hasWork()) {
            core.step();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("requests did not run to their length: " + failures);
        }
    }

    private static long settledRssKib() {
        System.gc();   // the heap's garbage is not what this measures
        return ProcessMemory.rssKib();
    }
}
