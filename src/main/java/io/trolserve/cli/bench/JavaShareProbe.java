package io.trolserve.cli.bench;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * How much of a decode step is Java's own time: a sampler thread reads the engine thread's stack
 * every quarter millisecond while a step runs; a sample whose top frame is a native method of
 * libtorch's bindings counts as time inside a libtorch op, any other sample (Java code, JavaCPP's
 * own allocation and scope bookkeeping) as Java's share. Statistical, but cheap and unbiased
 * towards either side for a thread that spends long stretches in native code.
 */
final class JavaShareProbe {

    record Share(int batch, int steps, double meanStepMs, long libtorchSamples, long javaSamples) {

        double javaPercent() {
            long all = libtorchSamples + javaSamples;
            return all == 0 ? Double.NaN : 100.0 * javaSamples / all;
        }
    }

    private JavaShareProbe() {
    }

    static Share measure(TrolModel model, TrolTokenizer tokenizer, EngineConfig config, int batch, int steps) {
        Libtorch.prepareComputeThread();
        RequestListener ignore = new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
            }

            @Override
            public void onFinish(RequestOutput output) {
            }
        };
        Thread engineThread = Thread.currentThread();
        AtomicBoolean inStep = new AtomicBoolean();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong libtorch = new AtomicLong();
        AtomicLong java = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                if (inStep.get()) {
                    StackTraceElement[] stack = engineThread.getStackTrace();
                    if (stack.length > 0 && inStep.get()) {
                        boolean op = stack[0].isNativeMethod() && stack[0].getClassName().startsWith("org.bytedeco.pytorch");
                        (op ? libtorch : java).incrementAndGet();
                    }
                }
                LockSupport.parkNanos(250_000);
            }
        }, "java-share-sampler");
        long stepNanos = 0;
        try (InferenceMode guard = new InferenceMode(); EngineCore core = new EngineCore(model, tokenizer, config)) {
            Random random = new Random(9);
            for (int i = 0; i < batch; i++) {
                int[] prompt = new int[64];
                for (int j = 0; j < prompt.length; j++) {
                    prompt[j] = 3 + random.nextInt(model.config().vocabSize() - 6);
                }
                core.submit(EngineRequest.of("probe-" + i, prompt, List.of(),
                        SamplingParams.greedy(steps + 64).ignoringEos()), ignore);
            }
            StepReport r;
            do {
                r = core.step();
            } while (!(r.decodeOnly() && r.sequences() == batch));
            sampler.start();
            for (int s = 0; s < steps; s++) {
                inStep.set(true);
                stepNanos += core.step().stepNanos();
                inStep.set(false);
            }
        } finally {
            sampling.set(false);
        }
        return new Share(batch, steps, stepNanos / 1e6 / steps, libtorch.get(), java.get());
    }
}
