package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.PlainGenerator;
import io.trolserve.engine.RequestOutput;
import io.trolserve.engine.SamplingParams;
import io.trolserve.model.checkpoint.RawTensor;
import io.trolserve.model.checkpoint.TorchSaveReader;
import io.trolserve.vision.DecodedImage;
import io.trolserve.vision.ImageDecoder;

/**
 * TroL-3.8B's whole forward against an independent re-implementation of the official one
 * ({@code tools/reference/phi3_trol_reference.py}: Pillow's tiling, InternViT, pixel shuffle,
 * projector, the image rows written over {@code <IMG_CONTEXT>}, traversed Phi-3 with su RoPE and a
 * live sliding window, greedy decode on the pass-1 cache). The checkpoint under
 * {@code src/test/resources/reference/phi3-trol/} is the published layout, written by that script,
 * and goes through the real loader. Per case (text only, and images of 1, 4 and 7 tiles) the
 * greedy tokens must be identical and every step's logits within 1e-4, for the whole prompt in one
 * call and in chunks.
 */
class Phi3OfficialReferenceTest {

    private static final Path DIR = Path.of("src/test/resources/reference/phi3-trol");
    private static final float TOLERANCE = 1e-4f;

    private static TrolModel model;

    record Case(String name, int width, int height, long lcgSeed, int tiles, int[] promptIds, int[] generatedIds) {
    }

    @BeforeAll
    static void load() {
        model = TrolModel.load(DIR, Placement.cpuFloat32());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (Case c : readCases()) {
            for (int chunk : new int[] {0, 7, 300}) {
                out.add(Arguments.of(c.name() + (chunk == 0 ? ", whole prompt" : ", chunks of " + chunk), c, chunk));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheOfficialReference(String name, Case c, int chunk) {
        List<DecodedImage> images = c.tiles() == 0 ? List.of() : List.of(image(c));
        assertThat(images.stream().mapToInt(model.imagePolicy()::tokens).sum())
                .as("the Java tiler cuts as many tiles as Pillow's").isEqualTo(c.tiles() * 256);
        RequestOutput result = PlainGenerator.withoutTokenizer(model, chunk).generate(EngineRequest.of(name,
                c.promptIds(), images, SamplingParams.greedy(c.generatedIds().length)).capturingLogits());

        float[][] expected = expectedLogits().get(c.name());
        assertThat(result.logits()).hasSize(expected.length);
        float worst = 0;
        for (int step = 0; step < expected.length; step++) {
            float diff = OfficialReferenceTest.maxAbsDiff(result.logits().get(step), expected[step]);
            worst = Math.max(worst, diff);
            assertThat(diff).as("%s: max |logit diff| at step %d", name, step).isLessThanOrEqualTo(TOLERANCE);
        }
        assertThat(result.tokenIds()).as("%s: greedy tokens", name).containsExactly(c.generatedIds());
        System.out.printf("Phi3OfficialReferenceTest %-40s max |logit diff| %.3g, tokens equal%n", name, worst);
    }

    /** The fixture exercises what it claims: both window states, every tile count, and no near tie. */
    @Test
    void theFixtureCoversTheWindowAndEveryTileCount() throws IOException {
        List<Case> cases = readCases();
        int window = ((Phi3Config) model.config()).slidingWindow();
        assertThat(cases).extracting(Case::tiles).containsExactly(0, 1, 4, 7);
        assertThat(cases).anySatisfy(c -> assertThat(c.promptIds().length).isLessThan(window));
        assertThat(cases).anySatisfy(c -> assertThat(c.promptIds().length).isGreaterThan(window));
        JsonNode root = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        for (JsonNode c : root.get("cases")) {
            for (JsonNode gap : c.get("top1Top2Gaps")) {
                assertThat(gap.asDouble()).as("%s: top-1 over top-2 margin", c.get("name").asText())
                        .isGreaterThan(100 * TOLERANCE);
            }
        }
    }

    /** The case's image at its own size, from the reference's LCG (bits 16..23 of each state). */
    private static DecodedImage image(Case c) {
        byte[] rgb = new byte[c.width() * c.height() * 3];
        long state = c.lcgSeed();
        for (int i = 0; i < rgb.length; i++) {
            state = (1103515245L * state + 12345L) & 0x7FFFFFFFL;
            rgb[i] = (byte) (state >> 16);
        }
        return new DecodedImage(c.width(), c.height(), rgb, ImageDecoder.contentHash(rgb));
    }

    private static List<Case> readCases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(new Case(c.get("name").asText(), c.get("width").asInt(), c.get("height").asInt(),
                    c.get("lcgSeed").asLong(), c.get("tiles").asInt(), OfficialReferenceTest.ints(c.get("promptIds")),
                    OfficialReferenceTest.ints(c.get("generatedIds"))));
        }
        return out;
    }

    private static Map<String, float[][]> expectedLogits() {
        Map<String, float[][]> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : TorchSaveReader.read(DIR.resolve("expected.pt")).entrySet()) {
            int steps = (int) e.getValue().shape()[0];
            int vocab = (int) e.getValue().shape()[1];
            float[] flat = e.getValue().toFloatArray();
            float[][] rows = new float[steps][];
            for (int s = 0; s < steps; s++) {
                rows[s] = Arrays.copyOfRange(flat, s * vocab, (s + 1) * vocab);
            }
            out.put(e.getKey(), rows);
        }
        return out;
    }
}
