package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

import io.trolserve.testkit.Trials;

/**
 * Property tier for the sampler: whatever floats a model returns and whatever parameters were
 * accepted, {@link Sampler#next} gives an id in [0, V) quickly, and one that carries weight. The
 * timeouts run on a separate thread so that an endless loop fails the test instead of hanging it.
 */
class SamplerPropertiesTest {

    /** The special floats a broken or overflowing model can produce, and ordinary ones. */
    private static final float[] EXTREMES = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 0f, -0f, 1f, -1f,
            88.7f, -103.9f, 1e30f, -1e30f};

    record Case(float[] logits, SamplingParams params) {
        @Override
        public String toString() {
            String row = logits.length <= 12 ? Arrays.toString(logits) : logits.length + " logits starting "
                    + Arrays.toString(Arrays.copyOf(logits, 12));
            return params + " over " + row;
        }
    }

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    void anyLogitsAndAnyAcceptedParamsGiveAWeightedIdInRange() {
        Trials.forAll(4_000, r -> new Case(logits(r), params(r)), c -> {
            int id = new Sampler(c.params()).next(c.logits());
            assertThat(id).isBetween(0, c.logits().length - 1);
            assertThat(id).as("a seeded sampler replays").isEqualTo(new Sampler(c.params()).next(c.logits()));
            assertCarriesWeight(c.logits(), id);
            if (c.params().isGreedy()) {
                assertThat(id).isEqualTo(referenceArgmax(c.logits()));
            }
        });
    }

    @Test
    @Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
    void onSeparatedLogitsTheDrawStaysInsideTopKAndTheNucleus() {
        Trials.forAll(2_000, r -> {
            int vocab = 1 + r.nextInt(200);
            float[] row = new float[vocab];
            int[] order = permutation(vocab, r);
            for (int i = 0; i < vocab; i++) {
                row[i] = (float) (order[i] * (0.5 + r.nextDouble(4)));   // distinct, at least 0.5 apart
            }
            double temperature = 0.5 + r.nextDouble(3);
            return new Case(row, new SamplingParams(5, temperature, r.nextBoolean() ? 1.0 : 0.05 + r.nextDouble(0.95),
                    r.nextInt(vocab + 2), r.nextLong(), List.of()));
        }, c -> {
            float[] row = c.logits();
            int id = new Sampler(c.params()).next(row);
            int above = 0;
            double massAbove = 0;
            double[] p = referenceSoftmax(row, c.params().temperature());
            for (int i = 0; i < row.length; i++) {
                if (row[i] > row[id]) {
                    above++;
                    massAbove += p[i];
                }
            }
            if (c.params().topK() > 0) {
                assertThat(above).as("ids more likely than the draw").isLessThan(c.params().topK());
            }
            if (c.params().topK() == 0) {   // top-p over the whole vocabulary: the draw is inside the nucleus
                assertThat(massAbove).as("mass more likely than the draw").isLessThan(c.params().topP() + 1e-9);
            }
        });
    }

    @Test
    @Timeout(value = 30, threadMode = ThreadMode.SEPARATE_THREAD)
    void theIssuesRowsEndWithAWeightedToken() {
        float[] nanAndFinite = {Float.NaN, Float.NaN, -3f, Float.NaN};
        float[] allNan = {Float.NaN, Float.NaN, Float.NaN};
        float[] infinities = {1f, Float.POSITIVE_INFINITY, Float.NaN, Float.POSITIVE_INFINITY};
        float[] onlyMinusInf = {Float.NaN, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (SamplingParams p : List.of(params(0.01, 1.0, 5), params(0.01, 0.5, 0), params(1.0, 0.5, 0),
                params(100, Math.nextDown(1.0), 0), params(1.0, Double.MIN_VALUE, 2))) {
            assertThat(new Sampler(p).next(nanAndFinite)).isEqualTo(2);
            assertThat(new Sampler(p).next(allNan)).as("nothing weighs: lowest id").isZero();
            assertThat(new Sampler(p).next(infinities)).isIn(1, 3);
            assertThat(new Sampler(p).next(onlyMinusInf)).as("argmax: the first -inf").isEqualTo(1);
            assertThat(new Sampler(p).next(new float[] {Float.NaN})).isZero();
        }
        assertThat(Sampler.argmax(nanAndFinite)).isEqualTo(2);
        assertThat(Sampler.argmax(new float[] {1f, 3f, Float.NaN, 3f})).isEqualTo(1);
    }

    @Test
    void aTemperatureOutsideTheDocumentedRangeIsRefused() {
        for (double t : new double[] {5e-324, 1e-3, Math.nextDown(SamplingParams.MIN_TEMPERATURE),
                Math.nextUp(SamplingParams.MAX_TEMPERATURE), 1e300, Double.POSITIVE_INFINITY, Double.NaN, -1}) {
            assertThatThrownBy(() -> params(t, 1.0, 5)).as("temperature %s", t)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        }
        assertThat(params(0, 1.0, 0).isGreedy()).isTrue();
        assertThat(params(SamplingParams.MIN_TEMPERATURE, 1.0, 0).temperature()).isEqualTo(0.01);
        assertThat(params(SamplingParams.MAX_TEMPERATURE, 1.0, 0).temperature()).isEqualTo(100);
    }

    /** Mostly small rows of mixed extremes; some all-equal, all-NaN, one-finite-among-NaN; a few of 92,544+ ids. */
    private static float[] logits(SplittableRandom r) {
        int vocab = r.nextInt(100) == 0 ? 92_544 + r.nextInt(40_000) : r.nextInt(8) == 0 ? 1 : 1 + r.nextInt(300);
        float[] row = new float[vocab];
        switch (r.nextInt(6)) {
            case 0 -> Arrays.fill(row, pick(r));                                  // all equal (NaN, inf, ...)
            case 1 -> {                                                            // one value among NaNs
                Arrays.fill(row, Float.NaN);
                row[r.nextInt(vocab)] = pick(r);
            }
            case 2 -> {                                                            // ordinary logits
                double scale = Math.pow(10, r.nextInt(-3, 4));
                for (int i = 0; i < vocab; i++) {
                    row[i] = (float) (scale * r.nextDouble(-1, 1));
                }
            }
            default -> {                                                           // extremes mixed with noise
                double extremeShare = r.nextDouble();
                for (int i = 0; i < vocab; i++) {
                    row[i] = r.nextDouble() < extremeShare ? pick(r) : (float) r.nextDouble(-50, 50);
                }
            }
        }
        return row;
    }

    private static float pick(SplittableRandom r) {
        return EXTREMES[r.nextInt(EXTREMES.length)];
    }

    /** Accepted parameters, biased to the edges: temperature 0 or at the bounds, topP at its extremes, topK 1 or beyond V. */
    private static SamplingParams params(SplittableRandom r) {
        double temperature = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> SamplingParams.MIN_TEMPERATURE;
            case 2 -> SamplingParams.MAX_TEMPERATURE;
            default -> Math.exp(r.nextDouble(Math.log(SamplingParams.MIN_TEMPERATURE), Math.log(SamplingParams.MAX_TEMPERATURE)));
        };
        double topP = switch (r.nextInt(5)) {
            case 0 -> 1.0;
            case 1 -> Double.MIN_VALUE;
            case 2 -> Math.nextDown(1.0);
            default -> Math.nextUp(r.nextDouble());
        };
        int topK = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> Integer.MAX_VALUE;
            default -> r.nextInt(1, 400);
        };
        return new SamplingParams(5, temperature, topP, topK, r.nextLong(), List.of());
    }

    private static SamplingParams params(double temperature, double topP, int topK) {
        return new SamplingParams(5, temperature, topP, topK, 7L, List.of());
    }

    /**
     * The chosen id carries weight whenever anything does: an infinity if there is one, else a
     * finite logit if there is one; only a row of NaN and -inf leaves the fallback.
     */
    private static void assertCarriesWeight(float[] row, int id) {
        boolean anyPlusInf = false;
        boolean anyFinite = false;
        for (float l : row) {
            anyPlusInf |= l == Float.POSITIVE_INFINITY;
            anyFinite |= Float.isFinite(l);
        }
        if (anyPlusInf) {
            assertThat(row[id]).as("logit of the chosen id").isEqualTo(Float.POSITIVE_INFINITY);
        } else if (anyFinite) {
            assertThat(Float.isFinite(row[id])).as("the chosen logit %s is finite", row[id]).isTrue();
        } else {
            assertThat(id).as("fallback").isEqualTo(referenceArgmax(row));
        }
    }

    /** The first id of the largest non-NaN logit; 0 when all are NaN. */
    private static int referenceArgmax(float[] row) {
        int best = -1;
        for (int i = 0; i < row.length; i++) {
            if (!Float.isNaN(row[i]) && (best < 0 || row[i] > row[best])) {
                best = i;
            }
        }
        return Math.max(best, 0);
    }

    private static double[] referenceSoftmax(float[] row, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : row) {
            max = Math.max(max, l / temperature);
        }
        double[] p = new double[row.length];
        double sum = 0;
        for (int i = 0; i < row.length; i++) {
            p[i] = Math.exp(row[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < row.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static int[] permutation(int n, SplittableRandom r) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }
}
