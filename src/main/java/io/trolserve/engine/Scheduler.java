package io.trolserve.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Decides how many tokens each request computes in the next step, within the token budget
 * (prompt tokens at traversal cost, {@link TraversalRule}), the inter-token latency target, the
 * prefill chunk size and the running-request bound; never touches tensors. Running requests go first, oldest first, so
 * decoding is never starved by new prompts; when the pool runs out of blocks the newest running
 * request is preempted and recomputed later. Waiting requests are admitted in arrival order.
 *
 * <p>The latency target: while any request decodes, prompt chunks and image encodes are admitted
 * only as far as the step cost model predicts the step stays within {@code itl-target}
 * ({@link StepBudget}); the model learns from every step the engine runs.
 */
final class Scheduler {

    private final EngineConfig config;
    private final KvCacheManager kv;
    private final StepCostModel cost;
    private final Function<Request, List<String>> imagesToEncode;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();

    /** @param imagesToEncode one entry per tile of the images a request would have encoded if it ran now */
    Scheduler(EngineConfig config, KvCacheManager kv, StepCostModel cost, Function<Request, List<String>> imagesToEncode) {
        this.config = config;
        this.kv = kv;
        this.cost = cost;
        this.imagesToEncode = imagesToEncode;
    }

    void add(Request r) {
        kv.computeKeys(r);
        waiting.addLast(r);
    }

    List<Request> running() {
        return running;
    }

    Deque<Request> waiting() {
        return waiting;
    }

    boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    StepPlan schedule() {
        List<StepPlan.Chunk> chunks = new ArrayList<>();
        List<Request> preempted = new ArrayList<>();
        StepBudget budget = new StepBudget(config.maxBatchTokens(), config.itlTarget().toNanos(), cost, reservedDecodes());
        scheduleRunning(budget, chunks, preempted);
        scheduleWaiting(budget, chunks);
        return new StepPlan(List.copyOf(chunks), List.copyOf(preempted), budget.tokensUsed(), budget.predictedNanos());
    }

    /** The rows the running requests that are past their prompt compute in this step, planned before any prompt. */
    private StepShape reservedDecodes() {
        StepShape shape = StepShape.EMPTY;
        for (Request r : running) {
            if (!r.prefilling()) {
                int computed = r.scheduling.numComputed();
                shape = shape.plus(StepShape.chunk(computed, r.totalTokens() - computed, false));
            }
        }
        return shape;
    }

    private void scheduleRunning(StepBudget budget, List<StepPlan.Chunk> chunks, List<Request> preempted) {
        for (int i = 0; i < running.size(); i++) {
            Request r = running.get(i);
            List<String> images = imagesToEncode.apply(r);
            StepPlan.Chunk chunk = nextChunk(r, budget, images);
            if (chunk == null) {
                continue;
            }
            while (!kv.ensureCapacity(r, chunk.end(), chunk.traversed())) {
                Request victim = running.get(running.size() - 1);
                preempt(victim);
                preempted.add(victim);
                if (victim == r) {
                    chunk = null;
                    break;
                }
            }
            if (chunk != null) {
                chunks.add(chunk);
                budget.take(chunk, !r.prefilling(), images);
            }
        }
    }

    private void scheduleWaiting(StepBudget budget, List<StepPlan.Chunk> chunks) {
        while (!waiting.isEmpty() && running.size() < config.maxRunning() && !budget.exhausted()) {
            Request r = waiting.peekFirst();
            if (r.scheduling.numComputed() == 0) {
                r.scheduling.computedUpTo(kv.acquirePrefix(r));
            }
            List<String> images = imagesToEncode.apply(r);
            StepPlan.Chunk chunk = nextChunk(r, budget, images);
            if (chunk == null || !kv.ensureCapacity(r, chunk.end(), chunk.traversed())) {
                kv.releaseAll(r);   // arrival order: nobody overtakes it; it keeps nothing while it waits
                r.scheduling.computedUpTo(0);
                break;
            }
            waiting.pollFirst();
            r.scheduling.moveTo(RequestState.RUNNING);
            running.add(r);
            chunks.add(chunk);
            budget.take(chunk, false, images);
        }
    }

    /** The next tokens of a request that fit the budget, or null if none do. */
    private StepPlan.Chunk nextChunk(Request r, StepBudget budget, List<String> images) {
        int start = r.scheduling.numComputed();
        int total = r.totalTokens();
        boolean prompt = start < r.promptLength();
        boolean traversed = TraversalRule.traversesFrom(start, r.promptLength());
        int end = prompt ? r.promptLength() : total;
        boolean decode = !prompt && r.scheduling.state() == RequestState.RUNNING;
        int n = budget.fit(start, Math.min(end - start, config.prefillChunkTokens()), traversed, decode, images);
        if (n <= 0) {
            return null;
        }
        return new StepPlan.Chunk(r, start, n, traversed, start + n == total);
    }

    /** Takes every block back; the request waits at the front and recomputes what it had. */
    private void preempt(Request r) {
        kv.releaseAll(r);
        r.scheduling.computedUpTo(0);
        r.scheduling.moveTo(RequestState.PREEMPTED);
        running.remove(r);
        waiting.addFirst(r);
    }

    /** The step ran the chunk: its tokens are computed, and a prompt just completed gives back its pass-2 blocks. */
    void computed(StepPlan.Chunk c) {
        Request r = c.request();
        r.scheduling.computedUpTo(c.end());
        kv.registerComputed(r);
        if (!r.prefilling()) {
            kv.releasePass2(r);
        }
    }

    /** A request ended (finished, cancelled, failed or refused): out of the queues, every block given back. */
    void finish(Request r) {
        running.remove(r);
        waiting.remove(r);
        kv.releaseAll(r);
        r.scheduling.moveTo(RequestState.FINISHED);
    }
}
