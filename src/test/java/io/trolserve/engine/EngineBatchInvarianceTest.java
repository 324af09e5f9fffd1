package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.trolserve.model.TinyCheckpoints;
import io.trolserve.model.LanguageConfig;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DecodedImage;

/**
 * Oracle tier for the engine: 18 requests arriving at different steps, batched with each other,
 * prefilled in chunks of 1, 7 or whole, with the prefix cache on and off, under forced
 * preemption, greedy and seeded sampling: every request's tokens are exactly those it gets alone
 * on the plain path, and its logits within 1e-4.
 */
class EngineBatchInvarianceTest {

    private static EngineHarness harness;
    private static List<EngineHarness.Arrival> greedy;
    private static List<EngineHarness.Arrival> sampled;

    @BeforeAll
    static void setUp() {
        harness = new EngineHarness(TinyCheckpoints.of(TinyCheckpointSpec.micro()));
        greedy = arrivals(false);
        sampled = arrivals(true);
    }

    @AfterAll
    static void tearDown() {
        harness.close();
    }

    static Stream<Arguments> configs() {
        EngineConfig base = EngineConfig.defaults(512).withKv(4, 512, true);
        return Stream.of(
                Arguments.of("whole prompts, prefix cache", base.withPrefill(100_000, 100_000), false, false),
                Arguments.of("chunks of 7, prefix cache", base.withPrefill(7, 64), false, false),
                Arguments.of("chunks of 1, prefix cache", base.withPrefill(1, 16), false, false),
                Arguments.of("chunks of 7, no prefix cache", base.withKv(4, 512, false).withPrefill(7, 64), false, false),
                Arguments.of("forced preemption (48 blocks of 4)", base.withKv(4, 48, true).withPrefill(7, 64), false, true),
                Arguments.of("seeded sampling, chunks of 7", base.withPrefill(7, 64), true, false),
                Arguments.of("seeded sampling under preemption", base.withKv(4, 48, false).withPrefill(16, 64), true, true),
                Arguments.of("latency target of 1 ns: prompts advance by the minimum chunk while others decode",
                        base.withItlTarget(java.time.Duration.ofNanos(1)), false, false),
                Arguments.of("latency target of 1 ns, seeded sampling, no prefix cache",
                        base.withKv(4, 512, false).withItlTarget(java.time.Duration.ofNanos(1)), true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void everyRequestGetsItsTokensAlone(String name, EngineConfig config, boolean sampling, boolean expectPreemption) {
        checkEveryRequestAlone(harness, config, sampling ? sampled : greedy, expectPreemption);
    }

    /** Runs the arrivals batched and checks each against its plain one-request run; shared by the variants' tests. */
    static void checkEveryRequestAlone(EngineHarness harness, EngineConfig config, List<EngineHarness.Arrival> arrivals,
                                       boolean expectPreemption) {
        AtomicReference<EngineHarness.RunFacts> facts = new AtomicReference<>();
        Map<String, RequestOutput> outputs = harness.runEngine(config, arrivals, facts::set);
        EngineStats stats = facts.get().stats();

        assertThat(outputs).hasSize(arrivals.size());
        for (EngineHarness.Arrival a : arrivals) {
            RequestOutput alone = harness.alone(a.request());
            RequestOutput batched = outputs.get(a.request().id());
            assertThat(batched.finishReason()).as(a.request().id()).isIn(FinishReason.STOP, FinishReason.LENGTH);
            assertThat(batched.tokenIds()).as(a.request().id()).containsExactly(alone.tokenIds());
            assertThat(batched.finishReason()).as(a.request().id()).isEqualTo(alone.finishReason());
            assertThat(batched.text()).as(a.request().id()).isEqualTo(alone.text());
            assertThat(alone.logits()).as(a.request().id()).hasSameSizeAs(alone.tokenIds());
            for (int i = 0; i < alone.logits().size(); i++) {
                assertThat(maxAbsDiff(batched.logits().get(i), alone.logits().get(i)))
                        .as("%s token %d", a.request().id(), i).isLessThan(1e-4f);
            }
        }
        if (expectPreemption) {
            assertThat(stats.preemptions()).as("preemptions").isPositive();
        }
        if (config.prefixCache() && !expectPreemption) {
            assertThat(stats.prefixCacheHitTokens()).as("prefix-cache hits").isPositive();
        }
        assertThat(facts.get().maxBatch()).as("largest batch").isGreaterThanOrEqualTo(4);
        assertThat(facts.get().mixedSteps()).as("steps mixing prompt chunks and decode tokens").isPositive();
        assertThat(stats.kvBlocksFree()).as("every block back").isEqualTo(config.numKvBlocks());
    }

    /** 18 requests: 3 images (some shared), a common system prefix, answers of 3 to 12 tokens. */
    private static List<EngineHarness.Arrival> arrivals(boolean sampling) {
        LanguageConfig c = harness.model.config();
        Random random = new Random(sampling ? 77 : 76);
        int[] system = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, 0, 0, 21, random);
        List<DecodedImage> images = List.of(EngineHarness.image(40, 30, 1), EngineHarness.image(17, 60, 2),
                EngineHarness.image(56, 56, 3));
        int[] steps = {0, 0, 0, 1, 2, 2, 3, 5, 5, 6, 8, 9, 11, 12, 15, 17, 20, 26};
        List<EngineHarness.Arrival> out = new ArrayList<>();
        for (int k = 0; k < steps.length; k++) {
            boolean withImage = k % 4 != 3;
            List<DecodedImage> img = withImage ? List.of(images.get(k % 3)) : List.of();
            int[] prompt = EngineHarness.prompt(harness.model, system, img.size(), harness.model.imageTokensPerImage(),
                    2 + random.nextInt(9), random);
            SamplingParams params = sampling
                    ? new SamplingParams(3 + random.nextInt(10), 0.9, 0.9, 50, 1000L + k, List.of())
                    : SamplingParams.greedy(3 + random.nextInt(10));
            out.add(new EngineHarness.Arrival(steps[k], new EngineRequest("req-" + k, prompt, img, params, null, true)));
        }
        return out;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
