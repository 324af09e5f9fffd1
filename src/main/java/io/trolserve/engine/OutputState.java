package io.trolserve.engine;

import java.util.ArrayList;
import java.util.List;

import io.trolserve.text.IncrementalDetokenizer;

/**
 * The output side of a request: its sampler, the text streamed so far, the logits it keeps when
 * asked, and its timings. Only {@link Completions} samples and streams through it; the engine
 * marks when the request was first scheduled and the vision cache what encoding its images took.
 */
final class OutputState {

    private final Sampler sampler;
    private final IncrementalDetokenizer detokenizer;
    private final StringBuilder text = new StringBuilder();
    private final List<float[]> logits = new ArrayList<>();
    private final List<Long> tokenGaps = new ArrayList<>();
    private final long submittedNanos = System.nanoTime();
    private long firstScheduledNanos = -1;
    private long prefillDoneNanos = -1;
    private long lastTokenNanos = -1;
    private long visionNanos;

    OutputState(SamplingParams params, IncrementalDetokenizer detokenizer) {
        this.sampler = new Sampler(params);
        this.detokenizer = detokenizer;
    }

    int sample(float[] rowLogits) {
        return sampler.next(rowLogits);
    }

    /** Keeps the logits a token was drawn from, for a request that asked for them. */
    void keepLogits(float[] rowLogits) {
        logits.add(rowLogits);
    }

    List<float[]> logits() {
        return logits;
    }

    /** A token was drawn at {@code now}. @return nanoseconds since the last one (or since submission) */
    long tokenAt(long now) {
        if (prefillDoneNanos < 0) {
            prefillDoneNanos = now;
        }
        long gap = now - (lastTokenNanos < 0 ? submittedNanos : lastTokenNanos);
        tokenGaps.add(gap);
        lastTokenNanos = now;
        return gap;
    }

    /** The text the token adds to the stream (possibly none: a character may span tokens). */
    String detokenize(int token) {
        return streamed(detokenizer.next(token));
    }

    /** The bytes of a character the stream ends inside of, as text; called once, when the request ends. */
    String flush() {
        return streamed(detokenizer.flush());
    }

    private String streamed(String piece) {
        text.append(piece);
        return piece;
    }

    /** Everything streamed so far: the answer is this text itself (see {@link Completions#finish}). */
    CharSequence text() {
        return text;
    }

    void scheduledAt(long nanos) {
        if (firstScheduledNanos < 0) {
            firstScheduledNanos = nanos;
        }
    }

    void encodedImagesIn(long nanos) {
        visionNanos += nanos;
    }

    RequestOutput.RequestTimings timings(long endNanos) {
        long scheduled = firstScheduledNanos < 0 ? endNanos : firstScheduledNanos;
        long gapsAfterFirst = tokenGaps.stream().skip(1).mapToLong(Long::longValue).sum();
        return new RequestOutput.RequestTimings(
                ms(scheduled - submittedNanos),
                ms(visionNanos),
                prefillDoneNanos < 0 ? 0 : ms(prefillDoneNanos - scheduled),
                tokenGaps.isEmpty() ? null : ms(tokenGaps.get(0)),
                ms(endNanos - submittedNanos),
                tokenGaps.size() < 2 ? null : ms(gapsAfterFirst / (tokenGaps.size() - 1)));
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
