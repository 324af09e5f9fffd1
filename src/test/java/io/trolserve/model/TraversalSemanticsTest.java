package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DecodedImage;

/**
 * TROL_SPEC §5 at its two extremes: a gate forced shut (s = 0) makes every layer a single pass;
 * a gate forced open (s = 1) makes a prompt token's layer output the layer applied twice. The
 * production path must match the oracle run in that mode, and a random gate must match neither.
 */
class TraversalSemanticsTest {

    private static final int NEW_TOKENS = 6;

    @Test
    void closedGateEqualsASinglePass() {
        assertProductionMatches(TinyCheckpointSpec.Gate.CLOSED, ReferenceTrol.Mode.SINGLE_PASS);
    }

    @Test
    void openGateEqualsTheLayerAppliedTwice() {
        assertProductionMatches(TinyCheckpointSpec.Gate.OPEN, ReferenceTrol.Mode.DOUBLE_PASS);
    }

    @Test
    void aLearnedGateMixesBothPasses() {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.micro());
        try (TrolWeights weights = CheckpointLoader.load(dir, Placement.cpuFloat32())) {
            ReferenceTrol oracle = new ReferenceTrol(weights);
            int[] prompt = TestPrompts.randomPrompt(new Random(1), weights.config(), 0);
            float[] traversed = oracle.greedy(ReferenceTrol.Mode.TRAVERSED, prompt, List.of(), 1).logits().get(0);
            float[] single = oracle.greedy(ReferenceTrol.Mode.SINGLE_PASS, prompt, List.of(), 1).logits().get(0);
            float[] twice = oracle.greedy(ReferenceTrol.Mode.DOUBLE_PASS, prompt, List.of(), 1).logits().get(0);
            assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(traversed, single)).isGreaterThan(1e-2f);
            assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(traversed, twice)).isGreaterThan(1e-2f);
        }
    }

    @Test
    void aOneTokenPromptIsNotTraversed() {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.micro());
        try (TrolModel model = TrolModel.load(dir, Placement.cpuFloat32());
             TrolWeights weights = CheckpointLoader.load(dir, Placement.cpuFloat32())) {
            int[] prompt = {weights.config().bosTokenId()};
            ReferenceTrol.Generation expected = new ReferenceTrol(weights)
                    .greedy(ReferenceTrol.Mode.SINGLE_PASS, prompt, List.of(), NEW_TOKENS);
            RequestOutput actual = PlainGenerator.withoutTokenizer(model, 0).generate(
                    EngineRequest.of("one-token", prompt, List.of(), SamplingParams.greedy(NEW_TOKENS)));
            assertThat(actual.tokenIds()).containsExactly(expected.tokens());
        }
    }

    private static void assertProductionMatches(TinyCheckpointSpec.Gate gate, ReferenceTrol.Mode mode) {
        Path dir = TinyCheckpoints.of(TinyCheckpointSpec.micro().toBuilder().gate(gate).build());
        try (TrolModel model = TrolModel.load(dir, Placement.cpuFloat32());
             TrolWeights weights = CheckpointLoader.load(dir, Placement.cpuFloat32())) {
            Random random = new Random(4);
            List<DecodedImage> images = List.of(TestImages.gradient(30, 50, random));
            int[] prompt = TestPrompts.randomPrompt(random, model, model.imageTokensPerImage());
            ReferenceTrol.Generation expected = new ReferenceTrol(weights).greedy(mode, prompt, images, NEW_TOKENS);
            for (int chunk : new int[] {0, 4}) {
                RequestOutput actual = PlainGenerator.withoutTokenizer(model, chunk).generate(
                        EngineRequest.of("gated", prompt, images, SamplingParams.greedy(NEW_TOKENS)).capturingLogits());
                assertThat(actual.tokenIds()).as("chunk %d", chunk).containsExactly(expected.tokens());
                for (int i = 0; i < NEW_TOKENS; i++) {
                    assertThat(CachedGenerationMatchesOracleTest.maxAbsDiff(actual.logits().get(i), expected.logits().get(i)))
                            .isLessThan(1e-4f);
                }
            }
        }
    }
}
