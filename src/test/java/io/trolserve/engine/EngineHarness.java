package io.trolserve.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.bytedeco.pytorch.InferenceMode;

import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodedImage;

/**
 * Drives an {@link EngineCore} step by step with requests arriving at chosen steps, and computes
 * what each request gives when it runs alone on the plain path, for the oracle comparisons.
 */
final class EngineHarness implements AutoCloseable {

    /** A request and the step before which it arrives. */
    record Arrival(int step, EngineRequest request) {
    }

    final TrolModel model;
    final TrolTokenizer tokenizer;

    EngineHarness(Path checkpoint) {
        this.model = TrolModel.load(checkpoint, Placement.cpuFloat32());
        this.tokenizer = TrolTokenizer.load(checkpoint);
    }

    /** What the engine did over a run: its final stats and the largest batch of a step. */
    record RunFacts(EngineStats stats, int maxBatch, int mixedSteps) {
    }

    /** Runs the arrivals through one engine; returns each request's output and what the run did. */
    Map<String, RequestOutput> runEngine(EngineConfig config, List<Arrival> arrivals, Consumer<RunFacts> atEnd) {
        return runEngine(config, arrivals, StepForward.Fault.NONE, (id, token) -> { }, atEnd);
    }

    /**
     * The same, with a fault seam in every forward attempt and a hook on every streamed token
     * (which may throw, as a broken listener would).
     */
    Map<String, RequestOutput> runEngine(EngineConfig config, List<Arrival> arrivals, StepForward.Fault fault,
                                         BiConsumer<String, TokenOutput> onToken, Consumer<RunFacts> atEnd) {
        Map<String, RequestOutput> outputs = new LinkedHashMap<>();
        RequestListener listener = new RequestListener() {
            @Override
            public void onToken(TokenOutput token) {
                onToken.accept(token.requestId(), token);
            }

            @Override
            public void onFinish(RequestOutput output) {
                outputs.put(output.requestId(), output);
            }
        };
        try (InferenceMode guard = new InferenceMode(); EngineCore core = new EngineCore(model, tokenizer, config, fault)) {
            int step = 0;
            int next = 0;
            int maxBatch = 0;
            int mixedSteps = 0;
            while (next < arrivals.size() || core.hasWork()) {
                while (next < arrivals.size() && arrivals.get(next).step() <= step) {
                    core.submit(arrivals.get(next++).request(), listener);
                }
                StepReport report = core.step();
                maxBatch = Math.max(maxBatch, report.sequences());
                mixedSteps += report.mixed() ? 1 : 0;
                step++;
                if (step > 100_000) {
                    throw new IllegalStateException("the engine made no progress");
                }
            }
            atEnd.accept(new RunFacts(core.stats(), maxBatch, mixedSteps));
        }
        return outputs;
    }

    /** The request alone on the plain path: the exactness reference. */
    RequestOutput alone(EngineRequest r) {
        return new PlainGenerator(model, tokenizer, 0).generate(r.capturingLogits());
    }

    /** Prompts shaped like TroL's: a shared system prefix, an image's tokens, then the question. */
    static int[] prompt(TrolModel model, int[] sharedPrefix, int images, int imageTokens, int questionTokens, Random random) {
        List<Integer> ids = new ArrayList<>();
        for (int id : sharedPrefix) {
            ids.add(id);
        }
        for (int i = 0; i < images * imageTokens; i++) {
            ids.add(model.imageTokenId());
        }
        for (int i = 0; i < questionTokens; i++) {
            int id = 3 + random.nextInt(model.config().vocabSize() - 6);
            // Phi-3's <IMG_CONTEXT> lies inside the vocabulary (InternLM2's <image> is V, never drawn)
            ids.add(id == model.imageTokenId() ? id - 1 : id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    static DecodedImage image(int width, int height, long seed) {
        Random random = new Random(seed);
        byte[] rgb = new byte[width * height * 3];
        random.nextBytes(rgb);
        return new DecodedImage(width, height, rgb, "test-image-" + HexFormat.of().toHexDigits(seed));
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
