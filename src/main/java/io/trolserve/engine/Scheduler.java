package io.trolserve.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides how many tokens each request computes in the next step, within the token budget
 * (prompt tokens at traversal cost 2), the prefill chunk size and the running-request bound; never
 * touches tensors. Running requests go first, oldest first, so decoding is never starved by new
 * prompts; when the pool runs out of blocks the newest running request is preempted and recomputed
 * later. Waiting requests are admitted in arrival order.
 */
final class Scheduler {

    private final EngineConfig config;
    private final KvCacheManager kv;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();

    Scheduler(EngineConfig config, KvCacheManager kv) {
        this.config = config;
        this.kv = kv;
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
        int budget = scheduleRunning(config.maxBatchTokens(), chunks, preempted);
        budget = scheduleWaiting(budget, chunks);
        return new StepPlan(List.copyOf(chunks), List.copyOf(preempted), config.maxBatchTokens() - budget);
    }

    private int scheduleRunning(int budget, List<StepPlan.Chunk> chunks, List<Request> preempted) {
        for (int i = 0; i < running.size(); i++) {
            Request r = running.get(i);
            StepPlan.Chunk chunk = nextChunk(r, budget);
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
                budget -= chunk.cost();
            }
        }
        return budget;
    }

    private int scheduleWaiting(int budget, List<StepPlan.Chunk> chunks) {
        while (!waiting.isEmpty() && running.size() < config.maxRunning() && budget > 0) {
            Request r = waiting.peekFirst();
            if (r.numComputed == 0) {
                r.numComputed = kv.acquirePrefix(r);
            }
            StepPlan.Chunk chunk = nextChunk(r, budget);
            if (chunk == null || !kv.ensureCapacity(r, chunk.end(), chunk.traversed())) {
                kv.releaseAll(r);   // arrival order: nobody overtakes it; it keeps nothing while it waits
                r.numComputed = 0;
                break;
            }
            waiting.pollFirst();
            r.state = RequestState.RUNNING;
            running.add(r);
            chunks.add(chunk);
            budget -= chunk.cost();
        }
        return budget;
    }

    /** The next tokens of a request that fit the budget, or null if none do. */
    private StepPlan.Chunk nextChunk(Request r, int budget) {
        int start = r.numComputed;
        int total = r.totalTokens();
        boolean prompt = start < r.promptLength();
        boolean traversed = prompt && r.traversesPrompt();
        int end = prompt ? r.promptLength() : total;
        int n = Math.min(Math.min(end - start, config.prefillChunkTokens()), traversed ? budget / 2 : budget);
        if (n <= 0) {
            return null;
        }
        return new StepPlan.Chunk(r, start, n, traversed, start + n == total);
    }

    /** Takes every block back; the request waits at the front and recomputes what it had. */
    private void preempt(Request r) {
        kv.releaseAll(r);
        r.numComputed = 0;
        r.state = RequestState.PREEMPTED;
        running.remove(r);
        waiting.addFirst(r);
    }

    /** Removes a request that finished (or was cancelled) from wherever it is. */
    void remove(Request r) {
        running.remove(r);
        waiting.remove(r);
    }
}
