package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.bytedeco.pytorch.InferenceMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.trolserve.model.LanguageConfig;
import io.trolserve.model.Phi3Config;
import io.trolserve.model.TrolModel;
import io.trolserve.text.PromptFormat;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.TinyCheckpointFiles;
import io.trolserve.vision.DecodedImage;

/**
 * The engine's oracle tier on a TroL-3.8B-layout checkpoint (Phi-3 + InternViT, tiny preset):
 * the same configurations as {@link EngineBatchInvarianceTest} over text-only requests, and
 * image requests of several aspect ratios (so 1, 4 and 7 tiles: runs of 256, 1024 and 1792
 * {@code <IMG_CONTEXT>} tokens) mixed with text ones; each request must get exactly its plain
 * one-request tokens (logits within 1e-4).
 */
class Phi3EngineInvarianceTest {

    @TempDir
    static Path dir;

    private static EngineHarness harness;
    private static List<EngineHarness.Arrival> greedy;
    private static List<EngineHarness.Arrival> sampled;
    private static List<EngineHarness.Arrival> withImages;

    @BeforeAll
    static void setUp() throws IOException {
        TinyCheckpointFiles.writePhi3(dir, Phi3CheckpointSpec.tiny());
        harness = new EngineHarness(dir);
        greedy = arrivals(false);
        sampled = arrivals(true);
        withImages = imageArrivals();
    }

    @AfterAll
    static void tearDown() {
        harness.close();
    }

    @Test
    void theCheckpointLoadsAsThePhi3Variant() {
        assertThat(harness.model.config()).isInstanceOf(Phi3Config.class);
        assertThat(harness.model.promptFormat()).isEqualTo(PromptFormat.PHI3_CHAT);
        assertThat(harness.model.imageTokenId()).isEqualTo(harness.tokenizer.imageTokenId());
        assertThat(harness.model.imagePolicy().tokens(1, 1)).isEqualTo(256);
        assertThat(harness.model.imagePolicy().tokens(1000, 300)).isEqualTo(4 * 256);
        assertThat(harness.model.imagePolicy().tokens(500, 300)).isEqualTo(7 * 256);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.trolserve.engine.EngineBatchInvarianceTest#configs")
    void everyTextRequestGetsItsTokensAlone(String name, EngineConfig config, boolean sampling, boolean expectPreemption) {
        EngineBatchInvarianceTest.checkEveryRequestAlone(harness, config, sampling ? sampled : greedy, expectPreemption);
    }

    /** Whole prompts, chunks of 7 and of 1, prefix cache on and off; a pool that holds the 1.8k-token prompts. */
    static Stream<Arguments> imageConfigs() {
        EngineConfig base = EngineConfig.defaults(512).withKv(16, 1024, true);
        return Stream.of(
                Arguments.of("whole prompts, prefix cache", base.withPrefill(100_000, 100_000)),
                Arguments.of("chunks of 7, prefix cache", base.withPrefill(7, 64)),
                Arguments.of("chunks of 1, prefix cache", base.withPrefill(1, 16)),
                Arguments.of("chunks of 7, no prefix cache", base.withKv(16, 1024, false).withPrefill(7, 64)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("imageConfigs")
    void everyImageRequestGetsItsTokensAlone(String name, EngineConfig config) {
        EngineBatchInvarianceTest.checkEveryRequestAlone(harness, config, withImages, false);
    }

    /**
     * A second request with the same text and image as a finished one reuses its blocks through
     * the image's run; one with a different image of the same tiling shares only the text before it.
     */
    @Test
    void aSharedImageHitsThePrefixCacheAndAnotherImageDoesNot() {
        TrolModel model = harness.model;
        Random random = new Random(9);
        int[] prefix = EngineHarness.prompt(model, new int[] {model.config().bosTokenId()}, 0, 0, 31, random);
        int[] prompt = EngineHarness.prompt(model, prefix, 1, 4 * 256, 6, random);   // 32 text, 1024 image, 6 text
        DecodedImage first = EngineHarness.image(1000, 300, 21);
        DecodedImage second = EngineHarness.image(1000, 300, 22);
        EngineConfig config = EngineConfig.defaults(512).withKv(16, 1024, true).withPrefill(64, 512);

        long sameImage = prefixHits(config, prompt, first, first);
        long otherImage = prefixHits(config, prompt, first, second);

        assertThat(sameImage).as("hits with the same image").isGreaterThanOrEqualTo(32 + 1024);
        assertThat(otherImage).as("hits with another image: the text before it only").isEqualTo(32);
    }

    private static long prefixHits(EngineConfig config, int[] prompt, DecodedImage first, DecodedImage second) {
        SamplingParams params = SamplingParams.greedy(3);
        List<EngineHarness.Arrival> arrivals = List.of(
                new EngineHarness.Arrival(0, new EngineRequest("first", prompt, List.of(first), params, null, true)),
                new EngineHarness.Arrival(60, new EngineRequest("second", prompt, List.of(second), params, null, true)));
        AtomicReference<EngineHarness.RunFacts> facts = new AtomicReference<>();
        Map<String, RequestOutput> outputs = harness.runEngine(config, arrivals, facts::set);
        for (EngineHarness.Arrival a : arrivals) {
            assertThat(outputs.get(a.request().id()).tokenIds()).as(a.request().id())
                    .containsExactly(harness.alone(a.request()).tokenIds());
        }
        return facts.get().stats().prefixCacheHitTokens();
    }

    /**
     * The step cost model prices vision work by tiles: the scheduler is told a 7-tile image's
     * 7 encodes before it plans, and the step that encodes it reports 7; a 1-tile image is 1.
     */
    @Test
    void anImageIsPricedAndReportedByItsTiles() {
        TrolModel model = harness.model;
        Random random = new Random(5);
        EngineConfig config = EngineConfig.defaults(512).withKv(16, 1024, true);
        for (int[] size : new int[][] {{500, 300, 7}, {1, 1, 1}}) {
            DecodedImage image = EngineHarness.image(size[0], size[1], 30 + size[2]);
            int[] prompt = EngineHarness.prompt(model, new int[] {model.config().bosTokenId()}, 1,
                    model.imagePolicy().tokens(image), 4, random);
            EngineRequest input = new EngineRequest("tiles-" + size[2], prompt, List.of(image), SamplingParams.greedy(2),
                    null, false);
            try (VisionCache cache = new VisionCache(model, 1L << 20)) {
                assertThat(cache.toEncode(new Request(input, null, null, model.imageTokenId())))
                        .as("%dx%d", size[0], size[1]).hasSize(size[2]).doesNotHaveDuplicates();
            }
            try (InferenceMode guard = new InferenceMode();
                 EngineCore core = new EngineCore(model, harness.tokenizer, config)) {
                core.submit(input, new RequestListener() {
                    @Override
                    public void onToken(TokenOutput token) {
                    }

                    @Override
                    public void onFinish(RequestOutput output) {
                    }
                });
                assertThat(core.step().visionEncodes()).as("%dx%d", size[0], size[1]).isEqualTo(size[2]);
                while (core.hasWork()) {
                    assertThat(core.step().visionEncodes()).isZero();   // encoded once, held through the prefill
                }
            }
        }
    }

    /** A prompt whose image run is another image's length is refused with the counts, not run. */
    @Test
    void aPromptWhoseImageRunDoesNotMatchItsImageIsRefused() {
        TrolModel model = harness.model;
        int[] prompt = EngineHarness.prompt(model, new int[] {model.config().bosTokenId()}, 1, 256, 5, new Random(3));
        EngineRequest request = new EngineRequest("wrong-run", prompt, List.of(EngineHarness.image(1000, 300, 1)),
                SamplingParams.greedy(4), null, false);
        Map<String, RequestOutput> outputs = harness.runEngine(EngineConfig.defaults(512).withKv(16, 1024, true),
                List.of(new EngineHarness.Arrival(0, request), greedy.get(0)), facts -> { });

        RequestOutput refused = outputs.get("wrong-run");
        assertThat(refused.finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(refused.error()).contains("holds 256 image tokens but 1 image(s) give 1024");
        assertThat(refused.tokenIds()).isEmpty();
        assertThat(outputs.get(greedy.get(0).request().id()).tokenIds())
                .containsExactly(harness.alone(greedy.get(0).request()).tokenIds());
    }

    /**
     * 12 requests sharing a system prefix: images of 1, 4 and 7 tiles (the 4-tile one asked about
     * twice, so its run can come from the prefix cache) among text-only ones.
     */
    private static List<EngineHarness.Arrival> imageArrivals() {
        TrolModel model = harness.model;
        Random random = new Random(88);
        int[] system = EngineHarness.prompt(model, new int[] {model.config().bosTokenId()}, 0, 0, 40, random);
        List<DecodedImage> images = List.of(EngineHarness.image(1, 1, 11), EngineHarness.image(1000, 300, 12),
                EngineHarness.image(500, 300, 13));
        int[] steps = {0, 0, 0, 1, 2, 3, 5, 6, 8, 9, 12, 30};
        int[] image = {1, -1, 0, -1, 2, -1, -1, 1, -1, 0, -1, 1};
        List<EngineHarness.Arrival> out = new ArrayList<>();
        for (int k = 0; k < steps.length; k++) {
            List<DecodedImage> used = image[k] < 0 ? List.of() : List.of(images.get(image[k]));
            int runLength = used.isEmpty() ? 0 : model.imagePolicy().tokens(used.get(0));
            int[] prompt = EngineHarness.prompt(model, system, used.size(), runLength, 2 + random.nextInt(20), random);
            out.add(new EngineHarness.Arrival(steps[k], new EngineRequest("img-" + k, prompt, used,
                    SamplingParams.greedy(3 + random.nextInt(8)), null, true)));
        }
        return out;
    }

    /** 18 text requests sharing a 41-token system prefix, answers of 3 to 12 tokens. */
    private static List<EngineHarness.Arrival> arrivals(boolean sampling) {
        LanguageConfig c = harness.model.config();
        Random random = new Random(sampling ? 87 : 86);
        int[] system = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, 0, 0, 40, random);
        int[] steps = {0, 0, 0, 1, 2, 2, 3, 5, 5, 6, 8, 9, 11, 12, 15, 17, 20, 26};
        List<EngineHarness.Arrival> out = new ArrayList<>();
        for (int k = 0; k < steps.length; k++) {
            int[] prompt = EngineHarness.prompt(harness.model, system, 0, 0, 2 + random.nextInt(30), random);
            SamplingParams params = sampling
                    ? new SamplingParams(3 + random.nextInt(10), 0.9, 0.9, 50, 1000L + k, List.of())
                    : SamplingParams.greedy(3 + random.nextInt(10));
            out.add(new EngineHarness.Arrival(steps[k], new EngineRequest("req-" + k, prompt, List.of(), params, null, true)));
        }
        return out;
    }
}
