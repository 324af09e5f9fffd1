package io.trolserve.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of float32 logits, per {@link SamplingParams}. Each request
 * owns its sampler (and its random stream), so a seeded request draws the same tokens in any batch.
 *
 * <p>Order of filters as in Hugging Face: temperature, then top-k, then top-p (nucleus), then a
 * draw. Only the candidates a filter can keep are ever sorted: with a vocabulary of 92,544 ids a
 * full sort per token would cost more than the model step of a small batch.
 *
 * <p>Any row of floats gives a token id in [0, V), in bounded time, because the logits a model
 * returns are not to be trusted (a NaN from a bad image, an overflow to infinity):
 * <ul>
 * <li>NaN means "no evidence": it ranks below every number, -inf included, and weighs 0.</li>
 * <li>+inf logits share all the mass equally (the limit of the softmax); the rest weigh 0.</li>
 * <li>A row with no weight at all (only NaN and -inf) falls back to {@link #argmax}: the lowest
 *     id of a -inf, or id 0 when everything is NaN.</li>
 * </ul>
 * Probabilities are computed in double, so {@code logit / T} stays finite for every float logit
 * and every accepted temperature; every candidate list holds only ids of positive weight.
 */
public final class Sampler {

    /** Rounds of the nucleus search: 1e-3^110 is below the smallest double, so every weight is in by then. */
    private static final int NUCLEUS_ROUNDS = 110;

    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
    }

    public int next(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits to sample from");
        }
        if (params.isGreedy()) {
            return argmax(logits);
        }
        double[] probs = softmax(logits, params.temperature());
        if (probs == null) {
            return argmax(logits);
        }
        int[] candidates;
        if (params.topK() > 0 && params.topK() < probs.length) {
            candidates = topK(probs, params.topK());
        } else if (params.topP() < 1.0) {
            candidates = nucleusCandidates(probs, params.topP());
        } else {
            return draw(probs, null, probs.length);   // plain temperature: index order, no sort needed
        }
        return draw(probs, candidates, nucleusSize(probs, candidates, params.topP()));
    }

    /** First index of the maximum, as torch.argmax on numbers; NaN ranks below -inf (id 0 if all are NaN). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best] || Float.isNaN(logits[best]) && !Float.isNaN(logits[i])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Softmax at the temperature, NaN weighing 0; null when nothing weighs anything (all NaN or
     * -inf). The largest term is exp(0) = 1, so the sum lies in [1, V] and no division can fail.
     */
    private static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            double z = l / temperature;
            if (z > max) {   // false for NaN
                max = z;
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return null;
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double z = logits[i] / temperature;
            p[i] = max == Double.POSITIVE_INFINITY ? (z == max ? 1 : 0)   // inf - inf would be NaN
                    : z > Double.NEGATIVE_INFINITY ? Math.exp(z - max) : 0;
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The k-th largest probability (by value; ties resolved later by id), via a size-k min-heap. */
    private static double kthLargest(double[] probs, int k) {
        double[] heap = Arrays.copyOf(probs, k);
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(heap, i);
        }
        for (int i = k; i < probs.length; i++) {
            if (probs[i] > heap[0]) {
                heap[0] = probs[i];
                siftDown(heap, 0);
            }
        }
        return heap[0];
    }

    private static void siftDown(double[] heap, int i) {
        while (true) {
            int smallest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < heap.length && heap[left] < heap[smallest]) {
                smallest = left;
            }
            if (right < heap.length && heap[right] < heap[smallest]) {
                smallest = right;
            }
            if (smallest == i) {
                return;
            }
            double t = heap[i];
            heap[i] = heap[smallest];
            heap[smallest] = t;
            i = smallest;
        }
    }

    /**
     * The k most likely ids by falling probability, then rising id. Fewer than k lie strictly above
     * the k-th value, so only those are sorted; ties at it follow in id order, as a stable sort would.
     */
    private static int[] topK(double[] probs, int k) {
        double kth = kthLargest(probs, k);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > kth) {
                ids.add(i);
            }
        }
        ids.sort((a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        for (int i = 0; i < probs.length && ids.size() < k && kth > 0; i++) {
            if (probs[i] == kth) {
                ids.add(i);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Ids of positive weight with p >= threshold, by falling probability then rising id. */
    private static int[] sortedDescending(double[] probs, double threshold) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] >= threshold && probs[i] > 0) {
                ids.add(i);
            }
        }
        ids.sort((a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Enough of the largest probabilities to hold the nucleus: the threshold is lowered until the
     * candidates above it carry at least topP of the mass, so the tail is never sorted. Bounded:
     * rounding can leave the total mass just below a topP of 1 - 1e-16, so it never "reaches" it.
     */
    private static int[] nucleusCandidates(double[] probs, double topP) {
        double threshold = 0;
        for (double p : probs) {
            threshold = Math.max(threshold, p);
        }
        for (int round = 0; round < NUCLEUS_ROUNDS; round++) {
            threshold *= 1e-3;
            double mass = 0;
            for (double p : probs) {
                mass += p >= threshold ? p : 0;
            }
            if (mass >= topP || threshold < Double.MIN_NORMAL) {
                return sortedDescending(probs, threshold);
            }
        }
        return sortedDescending(probs, 0);
    }

    /** The shortest prefix of the candidates whose probability, renormalised over them, reaches topP. */
    private static int nucleusSize(double[] probs, int[] candidates, double topP) {
        if (topP >= 1.0) {
            return candidates.length;
        }
        double kept = 0;
        for (int id : candidates) {
            kept += probs[id];
        }
        double cumulative = 0;
        for (int i = 0; i < candidates.length; i++) {
            cumulative += probs[candidates[i]] / kept;
            if (cumulative >= topP) {
                return i + 1;
            }
        }
        return candidates.length;
    }

    /**
     * One draw among the first {@code count} candidates (all ids in order when candidates is null).
     * Their total is positive: the candidates are led by the most likely id.
     */
    private int draw(double[] probs, int[] candidates, int count) {
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += probs[candidates == null ? i : candidates[i]];
        }
        double u = random.nextDouble() * total;
        int lastWeighted = -1;
        for (int i = 0; i < count; i++) {
            int id = candidates == null ? i : candidates[i];
            u -= probs[id];
            if (u < 0) {
                return id;
            }
            lastWeighted = probs[id] > 0 ? id : lastWeighted;
        }
        return lastWeighted;   // rounding left u >= 0: the last id that has weight, never one that has none
    }
}
