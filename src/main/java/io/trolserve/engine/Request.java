package io.trolserve.engine;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

import io.trolserve.text.IncrementalDetokenizer;

/**
 * One request inside the engine, touched by the engine thread only: what was asked, its tokens,
 * and two separate states, each changed by its own classes: {@link SchedulingState} (lifecycle,
 * computed tokens, block tables) by the scheduler and the KV manager, {@link OutputState}
 * (sampler, streamed text, timings) by the completions.
 *
 * <p>Its tokens are the prompt followed by the outputs; {@code numComputed} of them have K/V in
 * the cache. There is no prefill or decode phase: each step computes the next chunk of the
 * tokens not yet computed, until it catches up with the last one, which yields the next token.
 * <pre>
 * tokens:   | prompt (traversed: pass-1 and pass-2 K/V)  | outputs (pass-1 K/V only) |
 * computed: |<--------- numComputed --------->|
 * </pre>
 */
final class Request {

    final EngineRequest input;
    final RequestListener listener;
    final int imageTokens;
    final SchedulingState scheduling = new SchedulingState();
    final OutputState output;
    private final List<Integer> outputs = new ArrayList<>();

    /**
     * (images * G*G, H) projected features while the prompt still needs them; retained. Only a
     * field type here: nothing in this class touches libtorch unless features were given.
     */
    private Tensor imageFeatures;
    boolean cancelRequested;

    Request(EngineRequest input, RequestListener listener, IncrementalDetokenizer detokenizer, int imageTokenId) {
        this.input = input;
        this.listener = listener;
        int images = 0;
        for (int id : input.promptIds()) {
            if (id == imageTokenId) {
                images++;
            }
        }
        this.imageTokens = images;
        this.output = new OutputState(input.params(), detokenizer);
    }

    String id() {
        return input.id();
    }

    int promptLength() {
        return input.promptIds().length;
    }

    int totalTokens() {
        return promptLength() + outputs.size();
    }

    int tokenAt(int position) {
        int p = promptLength();
        return position < p ? input.promptIds()[position] : outputs.get(position - p);
    }

    int numOutputs() {
        return outputs.size();
    }

    void appendOutput(int token) {
        outputs.add(token);
    }

    int[] outputIds() {
        return outputs.stream().mapToInt(Integer::intValue).toArray();
    }

    boolean prefilling() {
        return scheduling.numComputed() < promptLength();
    }

    boolean needsImageFeatures() {
        return imageTokens > 0 && imageFeatures == null && prefilling();
    }

    Tensor imageFeatures() {
        return imageFeatures;
    }

    /** Hands the request its features, retained for it (see {@link VisionCache#provide}). */
    void imageFeatures(Tensor retained) {
        this.imageFeatures = retained;
    }

    /** The prompt is computed (or the request ended): its features can go. */
    void releaseImageFeatures() {
        if (imageFeatures != null) {
            imageFeatures.releaseReference();
            imageFeatures = null;
        }
    }
}
