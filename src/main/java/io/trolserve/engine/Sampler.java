package io.trolserve.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of float32 logits, per {@link SamplingParams}. Each request
 * owns its sampler (and random stream), so a seeded request draws the same tokens in any batch.
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
    }

    public int next(float[] logits) {
        if (params.isGreedy()) {
            return argmax(logits);
        }
        double[] probs = softmax(logits, params.temperature());
        Integer[] order = byDescendingProbability(probs);
        int keep = params.topK() > 0 ? Math.min(params.topK(), probs.length) : probs.length;
        keep = nucleus(probs, order, keep, params.topP());
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += probs[order[i]];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= probs[order[i]];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /** First index of the maximum, as torch.argmax. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Indices by falling probability; ties keep the lower id first so the order is stable. */
    private static Integer[] byDescendingProbability(double[] probs) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        return order;
    }

    /** The smallest prefix (within {@code keep}) whose probability mass reaches topP, renormalised over keep. */
    private static int nucleus(double[] probs, Integer[] order, int keep, double topP) {
        if (topP >= 1.0) {
            return keep;
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += probs[order[i]];
        }
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[order[i]] / kept;
            if (cumulative >= topP) {
                return i + 1;
            }
        }
        return keep;
    }
}
