package io.trolserve.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/**
 * Accuracy per question kind on a held-out stream of examples, measured on the serving path: the
 * checkpoint as written to disk, read by the service's loader and tokenizer, answered greedily by
 * the plain generator (whose tokens the engine's equal). An answer counts when its text is exactly
 * the expected sentence.
 */
public final class DemoEvaluation {

    /** One kind's tally, and a few of its misses to show. */
    public record KindScore(QuestionKind kind, int right, int asked, List<String> misses) {

        public double accuracy() {
            return asked == 0 ? 0 : (double) right / asked;
        }
    }

    /** Longest answer the evaluation waits for: the data's answers are a dozen tokens at most. */
    private static final int MAX_ANSWER_TOKENS = 32;

    private DemoEvaluation() {
    }

    /** {@code perKind} examples of every kind from a stream seeded by {@code seed}. */
    public static Map<QuestionKind, KindScore> run(Path checkpoint, long seed, int perKind) {
        if (perKind <= 0) {
            throw new IllegalArgumentException("questions per kind must be positive, got " + perKind);
        }
        Map<QuestionKind, KindScore> out = new EnumMap<>(QuestionKind.class);
        try (TrolTokenizer tokenizer = TrolTokenizer.load(checkpoint);
             TrolModel model = TrolModel.load(checkpoint, Placement.cpuFloat32())) {
            PlainGenerator generator = new PlainGenerator(model, tokenizer, 0);
            ShapesDataset data = new ShapesDataset(model.imageSize(), seed);
            for (QuestionKind kind : QuestionKind.values()) {
                int right = 0;
                List<String> misses = new ArrayList<>();
                for (int i = 0; i < perKind; i++) {
                    Example example = data.next(kind);
                    String answer = answer(generator, model, tokenizer, example, kind + "-" + i);
                    if (answer.equals(example.answer())) {
                        right++;
                    } else if (misses.size() < 3) {
                        misses.add(example.question() + " -> \"" + answer + "\" (expected \"" + example.answer() + "\")");
                    }
                }
                out.put(kind, new KindScore(kind, right, perKind, misses));
            }
        }
        return out;
    }

    /** The model's answer text to one example, trimmed. */
    static String answer(PlainGenerator generator, TrolModel model, TrolTokenizer tokenizer, Example example, String id) {
        boolean hasImage = example.scene() != null;
        int[] prompt = tokenizer.format().encode(tokenizer, example.question(), hasImage,
                model.imageTokensPerImage()).tokenIds();
        List<DecodedImage> images = new ArrayList<>();
        if (hasImage) {
            byte[] rgb = SceneRenderer.render(example.scene());
            images.add(new DecodedImage(example.scene().side(), example.scene().side(), rgb, ImageDecoder.contentHash(rgb)));
        }
        RequestOutput output = generator.generate(EngineRequest.of(id, prompt, images,
                SamplingParams.greedy(MAX_ANSWER_TOKENS)));
        return output.text().trim();
    }
}
