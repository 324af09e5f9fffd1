package io.trolserve.engine;

import java.util.List;

import org.jboss.logging.Logger;

import io.trolserve.text.AnswerText;

/**
 * The output side of a request: sampling its next token, streaming it with its timing, deciding
 * whether it ends the request, and building the final answer. Also ends the prefill (the pass-2
 * store and the image features are no longer needed) and frees everything a finished request held.
 */
final class Completions {

    private static final Logger LOG = Logger.getLogger(Completions.class);

    private final int[] stopTokenIds;
    private final KvCacheManager kv;
    private final VisionCache vision;

    Completions(int[] stopTokenIds, KvCacheManager kv, VisionCache vision) {
        this.stopTokenIds = stopTokenIds;
        this.kv = kv;
        this.vision = vision;
    }

    /**
     * Samples and streams one token. A listener that throws here is not swallowed: the token
     * stream it was given is broken, so the caller ends the request with an error.
     * @return why the request ends with it, or null if it goes on
     */
    FinishReason emit(Request r, float[] logits, int batchSize) {
        int token = r.sampler.next(logits);
        long now = System.nanoTime();
        if (r.input.captureLogits()) {
            r.logits.add(logits);
        }
        if (r.prefillDoneNanos < 0) {
            r.prefillDoneNanos = now;
        }
        r.outputs.add(token);
        long gap = now - (r.lastTokenNanos < 0 ? r.submittedNanos : r.lastTokenNanos);
        r.tokenGaps.add(gap);
        r.lastTokenNanos = now;
        boolean stopToken = !r.input.params().ignoreEos() && contains(stopTokenIds, token);
        String text = stopToken ? "" : r.detokenizer.next(token);
        r.streamedText.append(text);
        FinishReason done = stopToken || AnswerText.hitsStop(r.streamedText, r.input.params().stop()) ? FinishReason.STOP
                : r.outputs.size() >= r.input.params().maxNewTokens() ? FinishReason.LENGTH : null;
        if (done != null) {
            String rest = r.detokenizer.flush();   // bytes of a character the answer ends inside of
            text += rest;
            r.streamedText.append(rest);
        }
        java.time.Instant wall = java.time.Instant.now();
        long micros = wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000;
        r.listener.onToken(new TokenOutput(r.id(), r.outputs.size() - 1, token, text, micros, gap / 1e6, batchSize, done != null));
        return done;
    }

    /** The prompt is fully computed: its pass-2 blocks and image features can go. */
    void endPrefill(Request r) {
        if (!r.pass2Blocks.isEmpty()) {
            kv.releasePass2(r);
        }
        if (r.imageFeatures != null) {
            r.imageFeatures.releaseReference();
            r.imageFeatures = null;
        }
    }

    void finish(Request r, FinishReason reason, String error) {
        kv.releaseAll(r);
        endPrefill(r);
        r.state = RequestState.FINISHED;
        int[] ids = r.outputIds();
        // the answer is the streamed text itself: a fresh decode of all ids can differ where bytes do
        // not form UTF-8 (the decoder then replaces a whole byte run), and the token events a client
        // concatenated must agree with the answer
        String text = AnswerText.fromStream(r.streamedText, r.input.params().stop());
        RequestOutput out = new RequestOutput(r.id(), ids, text, reason, error, r.promptLength(), r.imageTokens,
                timings(r), r.input.captureLogits() ? List.copyOf(r.logits) : List.of());
        try {
            r.listener.onFinish(out);
        } catch (RuntimeException e) {
            LOG.errorf(e, "listener of request %s failed on finish", r.id());
        }
    }

    private static RequestOutput.RequestTimings timings(Request r) {
        long end = System.nanoTime();
        long scheduled = r.firstScheduledNanos < 0 ? end : r.firstScheduledNanos;
        long gapsAfterFirst = r.tokenGaps.stream().skip(1).mapToLong(Long::longValue).sum();
        return new RequestOutput.RequestTimings(
                ms(scheduled - r.submittedNanos),
                ms(r.visionNanos),
                r.prefillDoneNanos < 0 ? 0 : ms(r.prefillDoneNanos - scheduled),
                r.tokenGaps.isEmpty() ? null : ms(r.tokenGaps.get(0)),
                ms(end - r.submittedNanos),
                r.tokenGaps.size() < 2 ? null : ms(gapsAfterFirst / (r.tokenGaps.size() - 1)));
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
