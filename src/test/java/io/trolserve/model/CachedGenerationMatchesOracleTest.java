package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DecodedImage;

/**
 * Oracle tier: the cached generation path (traversed prefill, optionally chunked, then decoding
 * from the pass-1 cache) gives the same greedy tokens as the plain uncached forward, and logits
 * within 1e-4, on several tiny checkpoints with and without an image.
 */
class CachedGenerationMatchesOracleTest {

    private static final int NEW_TOKENS = 12;

    static Stream<Arguments> cases() {
        TinyCheckpointSpec micro = TinyCheckpointSpec.micro();
        TinyCheckpointSpec resized = TinyCheckpointSpec.tiny().toBuilder().positionRows(577).seed(3).build();
        TinyCheckpointSpec mha = micro.toBuilder().language(64, 128, 3, 4, 4).bias(true).seed(11).build();
        TinyCheckpointSpec mqa = micro.toBuilder().language(96, 160, 2, 6, 1).seed(12).build();
        TinyCheckpointSpec sharded = micro.toBuilder().shards(3).dtype(DType.BF16).seed(13).build();
        return Stream.of(
                Arguments.of("micro, text only", micro, false, 0),
                Arguments.of("micro, image", micro, true, 0),
                Arguments.of("micro, image, chunks of 7", micro, true, 7),
                Arguments.of("micro, image, chunks of 1", micro, true, 1),
                Arguments.of("1226 position rows, image", TinyCheckpointSpec.tiny(), true, 0),
                Arguments.of("577 position rows resized, image", resized, true, 0),
                Arguments.of("577 position rows, text only", resized, false, 0),
                Arguments.of("multi-head with bias, image", mha, true, 5),
                Arguments.of("multi-query, image", mqa, true, 0),
                Arguments.of("bf16 stored in 3 shards, image", sharded, true, 0));
    }

    @AfterAll
    static void done() {
        System.gc();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cachedTokensEqualTheOracle(String name, TinyCheckpointSpec spec, boolean withImage, int chunk) {
        java.nio.file.Path dir = TinyCheckpoints.of(spec);
        try (TrolModel model = TrolModel.load(dir, Placement.cpuFloat32());
             TrolWeights oracleWeights = CheckpointLoader.load(dir, Placement.cpuFloat32())) {
            Random random = new Random(spec.seed());
            List<DecodedImage> images = withImage ? List.of(TestImages.gradient(37, 23, random)) : List.of();
            int[] prompt = TestPrompts.randomPrompt(random, model, withImage ? model.imageTokensPerImage() : 0);

            ReferenceTrol.Generation expected = new ReferenceTrol(oracleWeights).greedy(prompt, images, NEW_TOKENS);
            RequestOutput actual = PlainGenerator.withoutTokenizer(model, chunk).generate(
                    EngineRequest.of(name, prompt, images, SamplingParams.greedy(NEW_TOKENS)).capturingLogits());

            assertThat(actual.tokenIds()).containsExactly(expected.tokens());
            for (int i = 0; i < expected.logits().size(); i++) {
                assertThat(maxAbsDiff(actual.logits().get(i), expected.logits().get(i)))
                        .as("logits of token %d", i).isLessThan(1e-4f);
            }
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
