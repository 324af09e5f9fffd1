package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.trolserve.model.LanguageConfig;
import io.trolserve.model.Phi3Config;
import io.trolserve.model.TrolModel;
import io.trolserve.text.PromptFormat;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.TinyCheckpointFiles;

/**
 * The engine's oracle tier on a TroL-3.8B-layout checkpoint (Phi-3 + InternViT, tiny preset):
 * the same configurations as {@link EngineBatchInvarianceTest} over text-only requests, each of
 * which must get exactly its plain one-request tokens (logits within 1e-4); and an image request,
 * which this variant does not serve yet, is refused with a reason rather than run or crashed.
 */
class Phi3EngineInvarianceTest {

    @TempDir
    static Path dir;

    private static EngineHarness harness;
    private static List<EngineHarness.Arrival> greedy;
    private static List<EngineHarness.Arrival> sampled;

    @BeforeAll
    static void setUp() throws IOException {
        TinyCheckpointFiles.writePhi3(dir, Phi3CheckpointSpec.tiny());
        harness = new EngineHarness(dir);
        greedy = arrivals(false);
        sampled = arrivals(true);
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
        assertThat(harness.model.servesImages()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.trolserve.engine.EngineBatchInvarianceTest#configs")
    void everyTextRequestGetsItsTokensAlone(String name, EngineConfig config, boolean sampling, boolean expectPreemption) {
        EngineBatchInvarianceTest.checkEveryRequestAlone(harness, config, sampling ? sampled : greedy, expectPreemption);
    }

    @Test
    void anImageRequestIsRefusedWithTheReason() {
        TrolModel model = harness.model;
        int[] prompt = EngineHarness.prompt(model, new int[] {model.config().bosTokenId()}, 1, 256, 5, new Random(3));
        EngineRequest request = new EngineRequest("with-image", prompt, List.of(EngineHarness.image(40, 30, 1)),
                SamplingParams.greedy(4), null, false);
        EngineConfig config = EngineConfig.defaults(512).withKv(4, 512, true);
        Map<String, RequestOutput> outputs = harness.runEngine(config,
                List.of(new EngineHarness.Arrival(0, request), greedy.get(0)), facts -> { });

        RequestOutput refused = outputs.get("with-image");
        assertThat(refused.finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(refused.error()).contains(TrolModel.IMAGES_NOT_SERVED);
        assertThat(refused.tokenIds()).isEmpty();
        assertThat(outputs.get(greedy.get(0).request().id()).tokenIds())
                .containsExactly(harness.alone(greedy.get(0).request()).tokenIds());
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
