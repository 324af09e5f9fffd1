package io.trolserve.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.jboss.logging.Logger;

/**
 * Runs a step's forward so that a request whose chunk makes the model fail (an image the vision
 * tower cannot take, a native error) fails alone. When the forward of a plan throws, its chunks
 * are run again in two halves, and so on down to single chunks; a chunk that fails on its own is
 * the guilty one. k guilty chunks among n cost at most about 2k log2(n) extra forwards.
 *
 * <p>Why re-running is safe and exact: a chunk writes K/V only into its own request's slots, and
 * rewrites the same values when run again, so a failed attempt leaves nothing the retry does not
 * overwrite; the logits of a chunk do not depend on which other chunks share its batch (the
 * batch-invariance tests check this). Each attempt has its own PointerScope, so the temporaries of
 * a failed attempt are freed with it; image features handed to a request are retained beyond it.
 */
final class StepForward {

    private static final Logger LOG = Logger.getLogger(StepForward.class);

    /**
     * A seam for tests: consulted in every attempt with the plan it ran, after the model has run it
     * and before its logits are taken; a throw fails the attempt. After, not before: the chunks
     * retried have then written their K/V once already, as after a real failure late in a forward.
     */
    @FunctionalInterface
    interface Fault {
        Fault NONE = plan -> {
        };

        void afterForward(StepPlan plan);
    }

    /** What the forward gave: logits of the sampling chunks that ran, and the requests that failed alone. */
    static final class Outcome {
        final Map<Request, float[]> logits = new IdentityHashMap<>();
        final Map<Request, RuntimeException> failed = new IdentityHashMap<>();
        long forwardNanos;
    }

    private final ModelRunner runner;
    private final VisionCache vision;
    private final Fault fault;

    StepForward(ModelRunner runner, VisionCache vision, Fault fault) {
        this.runner = runner;
        this.vision = vision;
        this.fault = fault;
    }

    Outcome run(StepPlan plan) {
        Outcome out = new Outcome();
        attempt(plan, out);
        return out;
    }

    private void attempt(StepPlan plan, Outcome out) {
        List<StepPlan.Chunk> chunks = plan.chunks();
        try (PointerScope scope = new PointerScope()) {
            vision.provide(needingImages(chunks));
            long started = System.nanoTime();
            Map<Request, float[]> logits = runner.run(plan);
            out.forwardNanos += System.nanoTime() - started;
            fault.afterForward(plan);
            out.logits.putAll(logits);
            return;
        } catch (RuntimeException e) {
            if (chunks.size() == 1) {
                LOG.errorf(e, "request %s fails the model step on its own; it ends with an error", chunks.get(0).request().id());
                out.failed.put(chunks.get(0).request(), e);
                return;
            }
            LOG.warnf("a forward of %d chunks failed (%s); running it again in halves", chunks.size(), e);
        }
        int half = chunks.size() / 2;
        attempt(StepPlan.of(chunks.subList(0, half)), out);
        attempt(StepPlan.of(chunks.subList(half, chunks.size())), out);
    }

    private static List<Request> needingImages(List<StepPlan.Chunk> chunks) {
        List<Request> out = new ArrayList<>();
        for (StepPlan.Chunk c : chunks) {
            if (c.request().needsImageFeatures()) {
                out.add(c.request());
            }
        }
        return out;
    }
}
