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
import io.trolserve.vision.DynamicTiling;

/**
 * The fixed workload of {@code bench engine}: N image-questions, each with its own image (no two
 * share image K/V), the real TroL prompt template, output lengths drawn uniformly from
 * [minTokens, maxTokens] and generated in full (EOS ignored), arriving as a Poisson process.
 * Everything is seeded: every mode sees the same requests at the same offsets. The images are noise,
 * each at one of the given sizes (drawn per request), in the form the service hands them to the
 * engine: noise at the model's square for TroL-1.8B/7B (the intake resizes every upload to it, so
 * the size makes no difference there), cut into its tiles for TroL-3.8B (so a wide image has more
 * tokens than a square one). The tiling is done here, as the intake threads do it, so the engine
 * runs no resize.
 */
record BenchWorkload(List<Item> items) {

    /** A request, when it arrives (nanoseconds after the run starts), and its prompt's image tokens. */
    record Item(EngineRequest request, long arrivalNanos, int imageTokens) {
    }

    /** An image's width and height, as {@code --image-sizes} names it ({@code 1000x300}). */
    record ImageSize(int width, int height) {

        ImageSize {
            if (width <= 0 || height <= 0 || (long) width * height > 64L << 20) {
                throw new IllegalArgumentException("image size " + width + "x" + height
                        + " must be positive and at most 64 megapixels");
            }
        }

        static ImageSize parse(String text) {
            String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                if (parts.length == 2) {
                    return new ImageSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("image size '" + text + "' is not WIDTHxHEIGHT, e.g. 1000x300");
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    static BenchWorkload generate(TrolTokenizer tokenizer, PromptFormat promptFormat, ImagePolicy imagePolicy,
                                  List<ImageSize> imageSizes, int count, double ratePerSecond, int minTokens,
                                  int maxTokens, long seed) {
        if (imageSizes.isEmpty()) {
            throw new IllegalArgumentException("the workload needs at least one image size");
        }
        Random random = new Random(seed);
        String[] questions = {"What is the troll doing?", "Describe the picture in detail.",
            "How many people are there, and what are they wearing?", "What colour is the sky?",
            "Is there any text in the image? Read it.", "Imagine what happens next."};
        List<Item> items = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < count; i++) {
            String question = questions[random.nextInt(questions.length)] + " (" + i + ")";
            int outputTokens = minTokens + random.nextInt(maxTokens - minTokens + 1);
            // drawn after the length, as always; a size is drawn only when there is a choice, so a
            // one-size workload is the same seeded workload it always was
            ImageSize size = imageSizes.size() == 1 ? imageSizes.get(0) : imageSizes.get(random.nextInt(imageSizes.size()));
            DecodedImage image = imagePolicy instanceof ImagePolicy.Square square
                    ? noise(random, new ImageSize(square.side(), square.side()))   // what the intake's resize gives
                    : DynamicTiling.tiledForm(noise(random, size));
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

    private static DecodedImage noise(Random random, ImageSize size) {
        byte[] rgb = new byte[size.width() * size.height() * 3];
        random.nextBytes(rgb);
        byte[] id = new byte[16];
        random.nextBytes(id);
        return new DecodedImage(size.width(), size.height(), rgb, "bench-" + HexFormat.of().formatHex(id));
    }
}
