package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.trolserve.model.TinyCheckpoints;
import io.trolserve.model.LanguageConfig;
import io.trolserve.tiny.TinyCheckpointSpec;
import io.trolserve.vision.DecodedImage;

/**
 * Every image position carries the same {@code <image>} token id, so a prefix cache keyed on token
 * ids alone would hand one image's K/V to another request. Ours keys on image content: a request
 * with another image shares nothing from the first image token on; the same image is shared.
 */
class PrefixCacheImagesTest {

    private static final int BLOCK = 4;
    private static EngineHarness harness;

    @BeforeAll
    static void setUp() {
        harness = new EngineHarness(TinyCheckpoints.of(TinyCheckpointSpec.micro()));
    }

    @AfterAll
    static void tearDown() {
        harness.close();
    }

    @Test
    void differentImagesShareOnlyTheTextBeforeTheFirstImageToken() {
        LanguageConfig c = harness.model.config();
        Random random = new Random(3);
        int[] system = EngineHarness.prompt(harness.model, new int[] {c.bosTokenId()}, 0, 0, 22, random);   // 23 tokens
        int[] prompt = EngineHarness.prompt(harness.model, system, 1, harness.model.imageTokensPerImage(), 9, random);
        DecodedImage x = EngineHarness.image(40, 40, 10);
        DecodedImage y = EngineHarness.image(40, 40, 11);

        // first x warms the cache; then y (same token ids!) and x again arrive one after the other
        List<EngineHarness.Arrival> arrivals = new ArrayList<>();
        arrivals.add(arrival("x-first", prompt, x, 0));
        arrivals.add(arrival("y", prompt, y, 40));
        arrivals.add(arrival("x-again", prompt, x, 80));

        long[] hitsAfter = new long[3];
        Map<String, RequestOutput> outputs = harness.runEngine(
                EngineConfig.defaults(256).withKv(BLOCK, 256, true).withPrefill(1000, 1000), arrivals.subList(0, 2),
                facts -> hitsAfter[1] = facts.stats().prefixCacheHitTokens());
        assertThat(hitsAfter[1]).as("y reuses only whole blocks before its image: 23 text tokens -> 5 blocks of 4")
                .isEqualTo(20);

        AtomicReference<EngineHarness.RunFacts> all = new AtomicReference<>();
        outputs = harness.runEngine(EngineConfig.defaults(256).withKv(BLOCK, 256, true).withPrefill(1000, 1000),
                arrivals, all::set);
        long prompted = prompt.length;
        assertThat(all.get().stats().prefixCacheHitTokens())
                .as("y: 20 tokens; x again: all whole blocks of its prompt but the last token's")
                .isEqualTo(20 + (prompted - 1) / BLOCK * BLOCK);
        for (EngineHarness.Arrival a : arrivals) {
            assertThat(outputs.get(a.request().id()).tokenIds()).as(a.request().id())
                    .containsExactly(harness.alone(a.request()).tokenIds());
        }
        assertThat(outputs.get("y").tokenIds()).isNotEqualTo(outputs.get("x-first").tokenIds());
    }

    private static EngineHarness.Arrival arrival(String id, int[] prompt, DecodedImage image, int step) {
        return new EngineHarness.Arrival(step, new EngineRequest(id, prompt, List.of(image), SamplingParams.greedy(6),
                null, false));
    }
}
