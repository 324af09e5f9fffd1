package io.trolserve.engine;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

import io.trolserve.engine.kv.BlockKey;
import io.trolserve.text.IncrementalDetokenizer;

/**
 * The engine's mutable state of one request; touched by the engine thread only.
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
    final Sampler sampler;
    final IncrementalDetokenizer detokenizer;
    final int imageTokens;
    final long submittedNanos;

    RequestState state = RequestState.WAITING;
    final List<Integer> outputs = new ArrayList<>();
    final StringBuilder streamedText = new StringBuilder();
    final List<float[]> logits = new ArrayList<>();
    int numComputed;

    /** Physical KV blocks in position order: pass 1 for all tokens, pass 2 while prefilling. */
    final List<Integer> pass1Blocks = new ArrayList<>();
    final List<Integer> pass2Blocks = new ArrayList<>();
    /** Prefix-cache keys of the prompt's full blocks, and how many of them are registered. */
    BlockKey[] pass1Keys;
    BlockKey[] pass2Keys;
    int pass1Registered;
    int pass2Registered;

    /** (images * G*G, H) projected features while the prompt still needs them; retained. */
    Tensor imageFeatures;

    long firstScheduledNanos = -1;
    long prefillDoneNanos = -1;
    long lastTokenNanos = -1;
    long visionNanos;
    final List<Long> tokenGaps = new ArrayList<>();
    boolean cancelRequested;

    Request(EngineRequest input, RequestListener listener, IncrementalDetokenizer detokenizer, int imageTokenId) {
        this.input = input;
        this.listener = listener;
        this.sampler = new Sampler(input.params());
        this.detokenizer = detokenizer;
        int images = 0;
        for (int id : input.promptIds()) {
            if (id == imageTokenId) {
                images++;
            }
        }
        this.imageTokens = images;
        this.submittedNanos = System.nanoTime();
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

    boolean prefilling() {
        return numComputed < promptLength();
    }

    boolean needsImageFeatures() {
        return imageTokens > 0 && imageFeatures == null && prefilling();
    }

    int[] outputIds() {
        return outputs.stream().mapToInt(Integer::intValue).toArray();
    }
}
