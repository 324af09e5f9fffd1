package io.trolserve.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.trolserve.service.DemoCheckpoint;
import io.trolserve.train.DemoModel;
import io.trolserve.train.Example;
import io.trolserve.train.QuestionKind;
import io.trolserve.train.SceneRenderer;
import io.trolserve.train.ShapesDataset;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/**
 * The demo TroL shipped in the jar goes through the same exactness checks as any checkpoint:
 * real shapes questions (its own template, images and text-only ones) arriving at different steps,
 * batched, prefilled whole or in chunks, with and without the prefix cache, under preemption and
 * with seeded sampling, each get exactly the tokens they get alone on the plain path.
 */
class DemoModelEngineInvarianceTest {

    @TempDir
    static Path cache;

    private static EngineHarness harness;
    private static List<EngineHarness.Arrival> greedy;
    private static List<EngineHarness.Arrival> sampled;

    @BeforeAll
    static void setUp() throws IOException {
        harness = new EngineHarness(DemoCheckpoint.ensureUnpacked(cache));
        greedy = arrivals(false);
        sampled = arrivals(true);
    }

    @AfterAll
    static void tearDown() {
        harness.close();
    }

    static Stream<Arguments> configs() {
        EngineConfig base = EngineConfig.defaults(512).withKv(16, 1024, true);
        return Stream.of(
                Arguments.of("whole prompts, prefix cache", base.withPrefill(100_000, 100_000), false, false),
                Arguments.of("chunks of 7, prefix cache", base.withPrefill(7, 64), false, false),
                Arguments.of("chunks of 1, prefix cache", base.withPrefill(1, 16), false, false),
                Arguments.of("chunks of 32, no prefix cache", base.withKv(16, 1024, false).withPrefill(32, 128), false, false),
                Arguments.of("forced preemption (40 blocks of 16)", base.withKv(16, 40, true).withPrefill(32, 128), false, true),
                Arguments.of("seeded sampling, chunks of 7", base.withPrefill(7, 64), true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void everyQuestionGetsItsAnswerAlone(String name, EngineConfig config, boolean sampling, boolean expectPreemption) {
        EngineBatchInvarianceTest.checkEveryRequestAlone(harness, config, sampling ? sampled : greedy, expectPreemption);
    }

    /** Ten questions of every kind, with their images, arriving two per step. */
    private static List<EngineHarness.Arrival> arrivals(boolean sampling) {
        ShapesDataset data = new ShapesDataset(DemoModel.IMAGE_SIDE, 29);
        List<EngineHarness.Arrival> out = new ArrayList<>();
        QuestionKind[] kinds = QuestionKind.values();
        for (int i = 0; i < 10; i++) {
            Example e = data.next(kinds[i % kinds.length]);
            List<DecodedImage> images = new ArrayList<>();
            if (e.scene() != null) {
                byte[] rgb = SceneRenderer.render(e.scene());
                images.add(new DecodedImage(e.scene().side(), e.scene().side(), rgb, ImageDecoder.contentHash(rgb)));
            }
            int[] prompt = harness.tokenizer.format().encode(harness.tokenizer, e.question(), e.scene() != null,
                    harness.model.imageTokensPerImage()).tokenIds();
            SamplingParams params = sampling ? new SamplingParams(16, 0.9, 0.9, 20, 100L + i, List.of())
                    : SamplingParams.greedy(16);
            out.add(new EngineHarness.Arrival(i / 2, EngineRequest.of("demo-" + i, prompt, images, params).capturingLogits()));
        }
        return out;
    }
}
