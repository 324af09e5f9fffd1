package io.trolserve.cli.bench;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.ImagePolicy;
import io.trolserve.text.PromptFormat;
import io.trolserve.text.PromptTemplate;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodedImage;

/**
 * The fixed workload of {@code bench engine}: N image-questions, each with its own image (no two
 * share image K/V), the real TroL prompt template, output lengths drawn uniformly from
 * [minTokens, maxTokens] and generated in full (EOS ignored), arriving as a Poisson process.
 * Everything is seeded: every mode sees the same requests at the same offsets. The images are noise
 * at the model's input size, as the service hands them to the engine (decoded and resized on the
 * intake threads, so the engine runs no resize).
 */
record BenchWorkload(List<Item> items) {

    /** A request, when it arrives (nanoseconds after the run starts), and its prompt's image tokens. */
    record Item(EngineRequest request, long arrivalNanos, int imageTokens) {
    }

    static BenchWorkload generate(TrolTokenizer tokenizer, PromptFormat promptFormat, ImagePolicy imagePolicy, int imageSize, int count,
                                  double ratePerSecond, int minTokens, int maxTokens, long seed) {
        Random random = new Random(seed);
        String[] questions = {"What is the troll doing?", "Describe the picture in detail.",
            "How many people are there, and what are they wearing?", "What colour is the sky?",
            "Is there any text in the image? Read it.", "Imagine what happens next."};
        List<Item> items = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < count; i++) {
            String question = questions[random.nextInt(questions.length)] + " (" + i + ")";
            int outputTokens = minTokens + random.nextInt(maxTokens - minTokens + 1);
            DecodedImage image = noise(random, imageSize);   // drawn after the length, as always: same seeded workload
            int imageTokens = imagePolicy.tokens(image);
            PromptTemplate.Prompt prompt = promptFormat.encode(tokenizer, question, true, imageTokens);
            SamplingParams params = SamplingParams.greedy(outputTokens).ignoringEos();
            EngineRequest request = new EngineRequest("bench-" + i, prompt.tokenIds(), List.of(image), params,
                    null, false);
            items.add(new Item(request, (long) (t * 1e9), imageTokens));
            t += -Math.log(1 - random.nextDouble()) / ratePerSecond;
        }
        return new BenchWorkload(List.copyOf(items));
    }

    int outputTokens() {
        return items.stream().mapToInt(i -> i.request().params().maxNewTokens()).sum();
    }

    private static DecodedImage noise(Random random, int imageSize) {
        byte[] rgb = new byte[imageSize * imageSize * 3];
        random.nextBytes(rgb);
        byte[] id = new byte[16];
        random.nextBytes(id);
        return new DecodedImage(imageSize, imageSize, rgb, "bench-" + HexFormat.of().formatHex(id));
    }
}
