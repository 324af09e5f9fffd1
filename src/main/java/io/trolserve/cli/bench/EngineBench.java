package io.trolserve.cli.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import org.bytedeco.pytorch.InferenceMode;

import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.EngineCore;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.RequestListener;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.engine.StepReport;
import io.trolserve.engine.TokenOutput;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

/**
 * Runs one {@link BenchWorkload} through the engine under four admission policies, on the
 * calling thread (which becomes the engine thread):
 * <ul>
 *   <li>continuous: every request joins the running batch at the step after it arrives, within
 *       the inter-token target ({@code trol.engine.itl-target}) while others decode;</li>
 *   <li>continuous without target: the same, but a step may take the whole token budget;</li>
 *   <li>static: requests wait until a batch of B has arrived (or none are left to come), the batch
 *       runs until its longest member ends, then the next batch forms, as a plain generate loop
 *       does: its finished rows keep being computed (padding) until the longest is done, so each
 *       request is run to the batch's longest length and only its own tokens count;</li>
 *   <li>one at a time: static with B = 1.</li>
 * </ul>
 * Same kernels, same K/V pool, same workload; only who may join when differs. TTFT is measured
 * from a request's arrival, so time spent waiting for a batch counts.
 */
final class EngineBench {

    enum Mode {
        CONTINUOUS, CONTINUOUS_NO_TARGET, STATIC, ONE_AT_A_TIME;

        boolean continuous() {
            return this == CONTINUOUS || this == CONTINUOUS_NO_TARGET;
        }
    }

    /**
     * @param longestGapMs        the longest wait between two tokens of one stream
     * @param peakRssMib          the process's peak resident set during this mode (-1 where unknown)
     * @param predictionErrorP50  median relative error of the step cost model over this mode's steps
     * @param stepCostFit         what the cost model had learnt at the end
     * @param itlTarget           the inter-token target the mode ran with (zero: none)
     */
    record Result(Mode mode, int requests, long outputTokens, double seconds, double meanBatch, Percentiles ttftMs,
                  Percentiles itlMs, double longestGapMs, long peakRssMib, double predictionErrorP50, String stepCostFit,
                  Duration itlTarget) {

        double tokensPerSecond() {
            return outputTokens / seconds;
        }
    }

    record Percentiles(double p50, double p99) {

        static Percentiles of(List<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return new Percentiles(at(sorted, 0.50), at(sorted, 0.99));
        }

        private static double at(List<Double> sorted, double q) {
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
        }
    }

    private EngineBench() {
    }

    /** @param trace where each step's line goes (mode, rows, prompt tokens, encodes, predicted and actual ms), or null */
    static Result run(TrolModel model, TrolTokenizer tokenizer, EngineConfig config, BenchWorkload workload, Mode mode,
                      int staticBatch, PrintStream trace) {
        Libtorch.prepareComputeThread();
        int batch = mode == Mode.ONE_AT_A_TIME ? 1 : staticBatch;
        EngineConfig engineConfig = mode == Mode.CONTINUOUS ? config : config.withItlTarget(Duration.ZERO);
        boolean peakKnown = ProcessMemory.resetPeak();
        Map<String, List<Long>> tokenTimes = new ConcurrentHashMap<>();
        Map<String, Integer> ownLength = new ConcurrentHashMap<>();
        RequestListener listener = new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
                if (token.index() < ownLength.get(token.requestId())) {
                    tokenTimes.computeIfAbsent(token.requestId(), k -> new ArrayList<>()).add(System.nanoTime());
                }
            }

            @Override
            public void onFinish(RequestOutput output) {
            }
        };
        List<BenchWorkload.Item> items = workload.items();
        long steps = 0;
        long sequences = 0;
        List<Double> predictionErrors = new ArrayList<>();
        String fit;
        long start;
        try (InferenceMode guard = new InferenceMode(); EngineCore core = new EngineCore(model, tokenizer, engineConfig)) {
            start = System.nanoTime();
            int submitted = 0;
            while (submitted < items.size() || core.hasWork()) {
                long now = System.nanoTime() - start;
                int arrived = arrivedBy(items, now);
                int take = mode.continuous() ? arrived - submitted
                        : !core.hasWork() && (arrived - submitted >= batch || arrived == items.size())
                        ? Math.min(batch, arrived - submitted) : 0;
                List<EngineRequest> group = new ArrayList<>();
                for (int i = 0; i < take; i++) {
                    group.add(items.get(submitted++).request());
                }
                group.forEach(r -> ownLength.put(r.id(), r.params().maxNewTokens()));
                for (EngineRequest r : mode.continuous() ? group : padded(group)) {
                    core.submit(r, listener);
                }
                if (core.hasWork()) {
                    StepReport report = core.step();
                    steps += report.idle() ? 0 : 1;
                    sequences += report.sequences();
                    if (trace != null && !report.idle()) {
                        trace.printf("%s,%d,%d,%d,%d,%.1f,%.1f%n", mode, report.sequences(), report.tokens(),
                                report.promptTokens(), report.visionEncodes(), report.predictedNanos() / 1e6,
                                report.stepNanos() / 1e6);
                    }
                    if (report.predictedNanos() > 0) {
                        predictionErrors.add(Math.abs(report.predictedNanos() - report.stepNanos()) / (double) report.stepNanos());
                    }
                } else if (submitted < items.size()) {
                    LockSupport.parkNanos(Math.max(0, items.get(submitted).arrivalNanos() - now));
                }
            }
            fit = core.stepCostFit();
        }
        long end = tokenTimes.values().stream().mapToLong(t -> t.get(t.size() - 1)).max().orElse(start);
        Run run = new Run(start, end, steps == 0 ? 0 : (double) sequences / steps, peakKnown ? ProcessMemory.peakKib() / 1024 : -1,
                Percentiles.of(predictionErrors).p50(), fit, engineConfig.itlTarget());
        return summarize(mode, items, tokenTimes, run);
    }

    /** What the loop measured besides the token times. */
    private record Run(long start, long end, double meanBatch, long peakRssMib, double predictionErrorP50, String stepCostFit,
                       Duration itlTarget) {
    }

    /** A static batch: every member generates as long as the longest one (padding rows). */
    private static List<EngineRequest> padded(List<EngineRequest> group) {
        int longest = group.stream().mapToInt(r -> r.params().maxNewTokens()).max().orElse(1);
        return group.stream().map(r -> new EngineRequest(r.id(), r.promptIds(), r.images(),
                SamplingParams.greedy(longest).ignoringEos(), r.deadline(), false)).toList();
    }

    private static int arrivedBy(List<BenchWorkload.Item> items, long now) {
        int n = 0;
        while (n < items.size() && items.get(n).arrivalNanos() <= now) {
            n++;
        }
        return n;
    }

    private static Result summarize(Mode mode, List<BenchWorkload.Item> items, Map<String, List<Long>> tokenTimes, Run run) {
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        double longest = 0;
        long tokens = 0;
        for (BenchWorkload.Item item : items) {
            List<Long> times = tokenTimes.getOrDefault(item.request().id(), List.of());
            tokens += times.size();
            if (!times.isEmpty()) {
                ttft.add((times.get(0) - run.start() - item.arrivalNanos()) / 1e6);
            }
            for (int i = 1; i < times.size(); i++) {
                double gap = (times.get(i) - times.get(i - 1)) / 1e6;
                itl.add(gap);
                longest = Math.max(longest, gap);
            }
        }
        return new Result(mode, items.size(), tokens, (run.end() - run.start()) / 1e9, run.meanBatch(), Percentiles.of(ttft),
                Percentiles.of(itl), longest, run.peakRssMib(), run.predictionErrorP50(), run.stepCostFit(), run.itlTarget());
    }
}
