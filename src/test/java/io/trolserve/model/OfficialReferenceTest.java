package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/**
 * Cross-check against an independent re-implementation of the OFFICIAL TroL code
 * ({@code tools/reference/trol_reference.py}, plain PyTorch, float32 CPU): for each case of
 * {@code src/test/resources/reference/expected.json} the greedy tokens must be identical and every
 * step's logits within 1e-4 (max abs), both for the whole-prompt prefill and for a chunked one.
 */
class OfficialReferenceTest {

    private static final Path REFERENCE = Path.of("src/test/resources/reference");
    private static final float TOLERANCE = 1e-4f;
    private static final int IMAGE_SIDE = 56;

    record Case(String checkpoint, boolean withImage, int[] promptIds, int[] generatedIds, List<float[]> logits) {
    }

    static Stream<Arguments> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(REFERENCE.resolve("expected.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            List<float[]> logits = new ArrayList<>();
            for (JsonNode step : c.get("logits")) {
                float[] row = new float[step.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) step.get(i).asDouble();
                }
                logits.add(row);
            }
            Case kase = new Case(c.get("checkpoint").asText(), c.get("withImage").asBoolean(),
                    ints(c.get("promptIds")), ints(c.get("generatedIds")), logits);
            for (int chunk : new int[] {0, 5}) {
                String name = kase.checkpoint() + (kase.withImage() ? ", image" : ", text only")
                        + (chunk == 0 ? ", whole prompt" : ", chunks of " + chunk);
                out.add(Arguments.of(name, kase, chunk));
            }
        }
        assertThat(out).isNotEmpty();
        return out.stream();
    }

    @AfterAll
    static void done() {
        System.gc();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheOfficialReference(String name, Case c, int chunk) throws IOException {
        List<DecodedImage> images = c.withImage() ? List.of(referenceImage()) : List.of();
        try (TrolModel model = TrolModel.load(REFERENCE.resolve(c.checkpoint()), Placement.cpuFloat32())) {
            RequestOutput result = PlainGenerator.withoutTokenizer(model, chunk).generate(EngineRequest.of(name,
                    c.promptIds(), images, SamplingParams.greedy(c.generatedIds().length)).capturingLogits());

            assertThat(result.logits()).hasSameSizeAs(c.logits());
            float worst = 0;
            for (int i = 0; i < c.logits().size(); i++) {
                float diff = maxAbsDiff(result.logits().get(i), c.logits().get(i));
                worst = Math.max(worst, diff);
                assertThat(diff).as("%s: max |logit diff| at step %d", name, i).isLessThanOrEqualTo(TOLERANCE);
            }
            assertThat(result.tokenIds()).as("%s: greedy tokens", name).containsExactly(c.generatedIds());
            System.out.printf("OfficialReferenceTest %-55s max |logit diff| %.3g, tokens equal%n", name, worst);
        }
    }

    /** The official reference's image: raw RGB, read the way the reference script read it. */
    private static DecodedImage referenceImage() throws IOException {
        byte[] rgb = Files.readAllBytes(REFERENCE.resolve("image-56x56.rgb"));
        return new DecodedImage(IMAGE_SIDE, IMAGE_SIDE, rgb, ImageDecoder.contentHash(rgb));
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
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
