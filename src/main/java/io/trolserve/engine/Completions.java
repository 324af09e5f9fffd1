package io.trolserve.engine;

import java.time.Instant;
import java.util.List;

import org.jboss.logging.Logger;

import io.trolserve.text.AnswerText;

/**
 * The output side of a request: sampling its next token, streaming it with its timing, deciding
 * whether it ends the request, and building the final answer. It reads and writes a request's
 * {@link OutputState} and its generated tokens, never its blocks: those are the scheduler's.
 */
final class Completions {

    private static final Logger LOG = Logger.getLogger(Completions.class);

    private final int[] stopTokenIds;

    Completions(int[] stopTokenIds) {
        this.stopTokenIds = stopTokenIds;
    }

    /**
     * Samples and streams one token. A listener that throws here is not swallowed: the token
     * stream it was given is broken, so the caller ends the request with an error.
     * @return why the request ends with it, or null if it goes on
     */
    FinishReason emit(Request r, float[] logits, int batchSize) {
        OutputState out = r.output;
        int token = out.sample(logits);
        long now = System.nanoTime();
        if (r.input.captureLogits()) {
            out.keepLogits(logits);
        }
        r.appendOutput(token);
        long gap = out.tokenAt(now);
        boolean stopToken = !r.input.params().ignoreEos() && contains(stopTokenIds, token);
        String text = stopToken ? "" : out.detokenize(token);
        FinishReason done = stopToken || AnswerText.hitsStop(out.text(), r.input.params().stop()) ? FinishReason.STOP
                : r.numOutputs() >= r.input.params().maxNewTokens() ? FinishReason.LENGTH : null;
        if (done != null) {
            text += out.flush();   // bytes of a character the answer ends inside of
        }
        Instant wall = Instant.now();
        long micros = wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000;
        r.listener.onToken(new TokenOutput(r.id(), r.numOutputs() - 1, token, text, micros, gap / 1e6, batchSize, done != null));
        return done;
    }

    /** Builds the answer and hands it to the listener; the scheduler has already taken the request's blocks back. */
    void finish(Request r, FinishReason reason, String error) {
        // the answer is the streamed text itself: a fresh decode of all ids can differ where bytes do
        // not form UTF-8 (the decoder then replaces a whole byte run), and the token events a client
        // concatenated must agree with the answer
        String text = AnswerText.fromStream(r.output.text(), r.input.params().stop());
        RequestOutput out = new RequestOutput(r.id(), r.outputIds(), text, reason, error, r.promptLength(), r.imageTokens,
                r.output.timings(System.nanoTime()), r.input.captureLogits() ? List.copyOf(r.output.logits()) : List.of());
        try {
            r.listener.onFinish(out);
        } catch (RuntimeException e) {
            LOG.errorf(e, "listener of request %s failed on finish", r.id());
        }
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
