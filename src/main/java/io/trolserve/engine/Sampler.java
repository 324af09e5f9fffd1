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
        int[] candidates;
        if (params.topK() > 0 && params.topK() < probs.length) {
            candidates = sortedDescending(probs, kthLargest(probs, params.topK()), params.topK());
        } else if (params.topP() < 1.0) {
            candidates = nucleusCandidates(probs, params.topP());
        } else {
            return draw(probs, null, probs.length);   // plain temperature: index order, no sort needed
        }
        return draw(probs, candidates, nucleusSize(probs, candidates, params.topP()));
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

    /** Ids with p >= threshold, by falling probability then rising id, at most {@code limit}. */
    private static int[] sortedDescending(double[] probs, double threshold, int limit) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] >= threshold) {
                ids.add(i);
            }
        }
        ids.sort((a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        return ids.stream().limit(limit).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Enough of the largest probabilities to hold the nucleus: the threshold is lowered until the
     * candidates above it carry at least topP of the mass, so the tail is never sorted.
     */
    private static int[] nucleusCandidates(double[] probs, double topP) {
        double max = 0;
        for (double p : probs) {
            max = Math.max(max, p);
        }
        for (double threshold = max * 1e-3; ; threshold *= 1e-3) {
            double mass = 0;
            for (double p : probs) {
                mass += p >= threshold ? p : 0;
            }
            if (mass >= topP || threshold < Double.MIN_NORMAL) {
                return sortedDescending(probs, threshold, probs.length);
            }
        }
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

    /** One draw among the first {@code count} candidates (all ids in order when candidates is null). */
    private int draw(double[] probs, int[] candidates, int count) {
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += probs[candidates == null ? i : candidates[i]];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < count; i++) {
            int id = candidates == null ? i : candidates[i];
            u -= probs[id];
            if (u < 0) {
                return id;
            }
        }
        return candidates == null ? count - 1 : candidates[count - 1];
    }
}
