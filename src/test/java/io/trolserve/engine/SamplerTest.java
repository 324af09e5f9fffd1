package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The sampler's filters and draws, with exact or statistical expectations on tiny vocabularies. */
class SamplerTest {

    private static final float[] HALF_THIRD_FIFTH = logits(0.5, 0.3, 0.2);

    @Test
    void greedyIsTheFirstMaximum() {
        Sampler s = new Sampler(SamplingParams.greedy(5));
        assertThat(s.next(new float[] {0.1f, 3f, 3f, -1f})).isEqualTo(1);
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        int[] counts = draws(new SamplingParams(5, 1.0, 1.0, 0, 11L, List.of()), HALF_THIRD_FIFTH, 20_000);
        assertThat(counts[0] / 20_000.0).isCloseTo(0.5, within(0.02));
        assertThat(counts[1] / 20_000.0).isCloseTo(0.3, within(0.02));
        assertThat(counts[2] / 20_000.0).isCloseTo(0.2, within(0.02));
    }

    @Test
    void topKKeepsTheKMostLikely() {
        int[] counts = draws(new SamplingParams(5, 1.0, 1.0, 2, 12L, List.of()), HALF_THIRD_FIFTH, 20_000);
        assertThat(counts[2]).isZero();
        assertThat(counts[0] / 20_000.0).isCloseTo(0.5 / 0.8, within(0.02));
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        // 0.5 < 0.75 <= 0.5 + 0.3: the nucleus is {0, 1}
        int[] counts = draws(new SamplingParams(5, 1.0, 0.75, 0, 13L, List.of()), HALF_THIRD_FIFTH, 20_000);
        assertThat(counts[2]).isZero();
        assertThat(counts[1] / 20_000.0).isCloseTo(0.3 / 0.8, within(0.02));
        int[] tight = draws(new SamplingParams(5, 1.0, 0.01, 0, 14L, List.of()), HALF_THIRD_FIFTH, 2_000);
        assertThat(tight[0]).isEqualTo(2_000);
    }

    @Test
    void theSameSeedDrawsTheSameTokens() {
        float[] row = randomLogits(92_544, new Random(1));
        SamplingParams params = new SamplingParams(5, 0.8, 0.9, 50, 42L, List.of());
        Sampler a = new Sampler(params);
        Sampler b = new Sampler(params);
        Sampler other = new Sampler(new SamplingParams(5, 0.8, 0.9, 50, 43L, List.of()));
        int[] fromA = new int[50];
        int[] fromB = new int[50];
        int[] fromOther = new int[50];
        for (int i = 0; i < 50; i++) {
            fromA[i] = a.next(row);
            fromB[i] = b.next(row);
            fromOther[i] = other.next(row);
        }
        assertThat(fromA).containsExactly(fromB).isNotEqualTo(fromOther);
    }

    @Test
    void invalidParametersAreRefused() {
        assertThatThrownBy(() -> new SamplingParams(0, 0, 1, 0, null, List.of())).hasMessageContaining("maxNewTokens");
        assertThatThrownBy(() -> new SamplingParams(5, -0.1, 1, 0, null, List.of())).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(5, 1, 0, 0, null, List.of())).hasMessageContaining("topP");
        assertThatThrownBy(() -> new SamplingParams(5, 1, 1, -1, null, List.of())).hasMessageContaining("topK");
        assertThatThrownBy(() -> new SamplingParams(5, 1, 1, 0, null, List.of(""))).hasMessageContaining("stop");
    }

    private static int[] draws(SamplingParams params, float[] logits, int n) {
        Sampler s = new Sampler(params);
        int[] counts = new int[logits.length];
        for (int i = 0; i < n; i++) {
            counts[s.next(logits)]++;
        }
        return counts;
    }

    private static float[] logits(double... probs) {
        float[] out = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            out[i] = (float) Math.log(probs[i]);
        }
        return out;
    }

    private static float[] randomLogits(int n, Random random) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (3 * random.nextGaussian());
        }
        return out;
    }
}
