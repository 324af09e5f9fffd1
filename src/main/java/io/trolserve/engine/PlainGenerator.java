package io.trolserve.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

import io.trolserve.model.ContiguousKvStore;
import io.trolserve.model.ForwardBatch;
import io.trolserve.model.TrolModel;
import io.trolserve.text.AnswerText;
import io.trolserve.text.IncrementalDetokenizer;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

/**
 * One request, start to finish, on the calling thread: encode its images, prefill the prompt
 * (traversed, optionally in chunks), then decode one token per step from the pass-1 KV cache.
 * The reference path of {@code generate} and the oracle of the batching engine, in the engine's
 * vocabulary: an {@link EngineRequest} in, {@link TokenOutput}s to a {@link RequestListener}, a
 * {@link RequestOutput} out. The engine must give the same tokens, and logits within float noise.
 *
 * <p>A request ends by the engine's rules, written out here again rather than shared with
 * {@link Completions}, so that comparing the two checks them too: a stop token (unless ignoreEos)
 * or a stop string ends it with STOP, maxNewTokens with LENGTH. Deadlines are the engine's; the
 * plain path refuses a request that has one. Timings have no queue, and prefill is the prompt's
 * forward alone (the image encoding before it is vision).
 *
 * <p>Memory: the K/V buffers and image features live for the run and are closed at its end; each
 * step's temporaries live in a PointerScope closed after the step, so a run leaves nothing behind.
 */
public final class PlainGenerator {

    private static final RequestListener IGNORED = new RequestListener() {
        @Override
        public void onToken(TokenOutput token) {
        }

        @Override
        public void onFinish(RequestOutput output) {
        }
    };

    private final TrolModel model;
    private final TrolTokenizer tokenizer;   // null: token ids only
    private final int[] stopTokenIds;
    private final int prefillChunk;

    /**
     * Answers as the engine does: EOS and end of turn stop, token texts stream, stop strings apply.
     *
     * @param prefillChunk prompt tokens per prefill step; 0 for the whole prompt at once
     */
    public PlainGenerator(TrolModel model, TrolTokenizer tokenizer, int prefillChunk) {
        this(model, tokenizer, new int[] {tokenizer.eosTokenId(), tokenizer.endOfTurnTokenId()}, prefillChunk);
    }

    private PlainGenerator(TrolModel model, TrolTokenizer tokenizer, int[] stopTokenIds, int prefillChunk) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.stopTokenIds = stopTokenIds;
        this.prefillChunk = prefillChunk;
    }

    /**
     * Token ids and logits only, for checkpoints without a tokenizer (the official reference
     * exports) and for benchmarks: no token stops a request, so each runs to maxNewTokens; texts
     * are empty, and stop strings, which need text, are refused.
     */
    public static PlainGenerator withoutTokenizer(TrolModel model, int prefillChunk) {
        return new PlainGenerator(model, null, new int[0], prefillChunk);
    }

    public RequestOutput generate(EngineRequest request) {
        return generate(request, IGNORED);
    }

    /** Runs the request to its end; the listener gets every token, then the output this returns. */
    public RequestOutput generate(EngineRequest request, RequestListener listener) {
        if (request.deadline() != null) {
            throw new IllegalArgumentException("request " + request.id() + " has a deadline; only the engine keeps them");
        }
        if (tokenizer == null && !request.params().stop().isEmpty()) {
            throw new IllegalArgumentException("stop strings need a tokenizer to read the answer's text");
        }
        Libtorch.prepareComputeThread();
        Run r = new Run(request, listener, prefillChunk, tokenizer == null ? null : new IncrementalDetokenizer(tokenizer));
        int prompt = r.promptIds().length;
        try (InferenceMode guard = new InferenceMode();
             ContiguousKvStore pass1 = model.newKvStore(prompt + request.params().maxNewTokens());
             ImageFeatures features = ImageFeatures.encode(model, request.images())) {
            r.visionDoneNanos = System.nanoTime();
            float[] next = prefill(r, pass1, features, r.logits);
            r.prefillDoneNanos = System.nanoTime();
            FinishReason reason;
            while ((reason = emit(r, next)) == null) {
                next = decode(r.lastToken(), prompt + r.tokens.size() - 1, pass1, r.logits, r.captureLogits());
            }
            RequestOutput out = r.output(reason, countImageTokens(r.promptIds()));
            listener.onFinish(out);
            return out;
        }
    }

    /** Samples and streams one token; returns why the request ends with it, or null if it goes on. */
    private FinishReason emit(Run r, float[] logits) {
        int token = r.sampler.next(logits);
        long now = System.nanoTime();
        long gap = now - r.lastTokenNanos;
        r.lastTokenNanos = now;
        r.tokens.add(token);
        r.gaps.add(gap);
        SamplingParams params = r.request.params();
        boolean stopToken = !params.ignoreEos() && isStop(token, stopTokenIds);
        String text = stopToken ? "" : r.detokenize(token);
        FinishReason done = stopToken || AnswerText.hitsStop(r.streamed, params.stop()) ? FinishReason.STOP
                : r.tokens.size() == params.maxNewTokens() ? FinishReason.LENGTH : null;
        if (done != null) {
            text += r.flush();   // bytes of a character the answer ends inside of
        }
        r.listener.onToken(new TokenOutput(r.request.id(), r.tokens.size() - 1, token, text, epochMicros(),
                gap / 1e6, 1, done != null));
        return done;
    }

    /**
     * Prefill in chunks; the pass-2 store lives exactly as long as the prefill (TROL_SPEC §5). A
     * one-token prompt is not traversed: the official forward traverses only when it is given
     * more than one token, and a whole one-token prompt is such a forward.
     */
    private float[] prefill(Run r, ContiguousKvStore pass1, ImageFeatures features, List<float[]> logits) {
        int prompt = r.promptIds().length;
        int chunk = r.prefillChunk() <= 0 ? prompt : r.prefillChunk();
        boolean traversed = TraversalRule.traversesPrompt(prompt);
        float[] last = null;
        try (ContiguousKvStore pass2 = traversed ? model.newKvStore(prompt) : null) {
            int imageRowsUsed = 0;
            for (int start = 0; start < prompt; start += chunk) {
                int n = Math.min(chunk, prompt - start);
                int[] ids = java.util.Arrays.copyOfRange(r.promptIds(), start, start + n);
                int imageRows = countImageTokens(ids);
                try (PointerScope scope = new PointerScope()) {
                    Tensor chunkFeatures = imageRows == 0 ? null : features.rows(imageRowsUsed, imageRows);
                    ForwardBatch batch = new ForwardBatch(ids,
                            List.of(new ForwardBatch.Sequence(n, start, traversed, pass1, pass2)),
                            chunkFeatures, new int[] {n - 1});
                    last = toArray(model.forward(batch));
                }
                imageRowsUsed += imageRows;
            }
        }
        if (r.captureLogits()) {
            logits.add(last);
        }
        return last;
    }

    private float[] decode(int token, int position, ContiguousKvStore pass1, List<float[]> logits, boolean capture) {
        try (PointerScope scope = new PointerScope()) {
            ForwardBatch batch = new ForwardBatch(new int[] {token},
                    List.of(new ForwardBatch.Sequence(1, position, false, pass1, null)), null, new int[] {0});
            float[] row = toArray(model.forward(batch));
            if (capture) {
                logits.add(row);
            }
            return row;
        }
    }

    private int countImageTokens(int[] ids) {
        int n = 0;
        for (int id : ids) {
            if (id == model.imageTokenId()) {
                n++;
            }
        }
        return n;
    }

    private static boolean isStop(int token, int[] stopIds) {
        for (int s : stopIds) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    /** The single row of a (1, V) float32 logits tensor, copied to the heap. */
    static float[] toArray(Tensor logits) {
        Tensor row = logits.select(0, 0).contiguous().cpu();
        float[] out = new float[(int) row.numel()];
        row.data_ptr_float().get(out);
        return out;
    }

    private static long epochMicros() {
        Instant wall = Instant.now();
        return wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000;
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    /** One request in flight: what it asked for and what it has produced so far. */
    private static final class Run {
        final EngineRequest request;
        final RequestListener listener;
        final int prefillChunk;
        final IncrementalDetokenizer detokenizer;   // null: no text
        final Sampler sampler;
        final StringBuilder streamed = new StringBuilder();
        final List<Integer> tokens = new ArrayList<>();
        // per token, nanoseconds since the previous one (the first: since the start)
        final List<Long> gaps = new ArrayList<>();
        final List<float[]> logits = new ArrayList<>();
        final long startedNanos = System.nanoTime();
        long visionDoneNanos;
        long prefillDoneNanos;
        long lastTokenNanos = startedNanos;

        Run(EngineRequest request, RequestListener listener, int prefillChunk, IncrementalDetokenizer detokenizer) {
            this.request = request;
            this.listener = listener;
            this.prefillChunk = prefillChunk;
            this.detokenizer = detokenizer;
            this.sampler = new Sampler(request.params());
        }

        int[] promptIds() {
            return request.promptIds();
        }

        int prefillChunk() {
            return prefillChunk;
        }

        boolean captureLogits() {
            return request.captureLogits();
        }

        int lastToken() {
            return tokens.get(tokens.size() - 1);
        }

        String detokenize(int token) {
            return stream(detokenizer == null ? "" : detokenizer.next(token));
        }

        String flush() {
            return stream(detokenizer == null ? "" : detokenizer.flush());
        }

        private String stream(String text) {
            streamed.append(text);
            return text;
        }

        RequestOutput output(FinishReason reason, int imageTokens) {
            long end = System.nanoTime();
            long afterFirst = gaps.stream().skip(1).mapToLong(Long::longValue).sum();
            RequestOutput.RequestTimings timings = new RequestOutput.RequestTimings(0, ms(visionDoneNanos - startedNanos),
                    ms(prefillDoneNanos - visionDoneNanos), ms(gaps.get(0)), ms(end - startedNanos),
                    gaps.size() < 2 ? null : ms(afterFirst / (gaps.size() - 1)));
            String text = detokenizer == null ? "" : AnswerText.fromStream(streamed, request.params().stop());
            return new RequestOutput(request.id(), tokens.stream().mapToInt(Integer::intValue).toArray(), text, reason,
                    null, request.promptIds().length, imageTokens, timings,
                    captureLogits() ? List.copyOf(logits) : List.of());
        }
    }
}
