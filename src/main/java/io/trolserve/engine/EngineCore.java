package io.trolserve.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import io.trolserve.engine.kv.BlockManager;
import io.trolserve.model.PagedKvPool;
import io.trolserve.model.TrolModel;
import io.trolserve.text.IncrementalDetokenizer;
import io.trolserve.text.TrolTokenizer;

/**
 * The engine without its thread: {@link #step()} runs one iteration of
 * {@code plan -> model step -> update}. Requests join and leave the batch at every step. Tests
 * drive it directly, so that arrivals happen at exactly chosen steps; {@link Engine} runs it on
 * its own thread. Construct, use and close it on one thread, inside an InferenceMode guard.
 *
 * <p>A request's failure stays its own: a forward it makes fail is retried without it
 * ({@link StepForward}), and an exception while sampling or streaming its token ends it alone, with
 * {@link FinishReason#ERROR}. Only a broken invariant (a bug) or an {@link Error} leaves {@link #step}.
 */
public final class EngineCore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EngineCore.class);

    private final TrolModel model;
    private final TrolTokenizer tokenizer;
    private final EngineConfig config;
    private final PagedKvPool pool;
    private final BlockManager blocks;
    private final KvCacheManager kv;
    private final Scheduler scheduler;
    private final VisionCache vision;
    private final FittedStepCost stepCost = new FittedStepCost();
    private final StepForward forward;
    private final Completions completions;
    private final Map<String, Request> active = new HashMap<>();
    private final int[] stopTokenIds;
    private long steps;
    private long preemptions;
    private long promptTokens;
    private long generatedTokens;
    private long traversalPasses;
    private int lastBatchSize;

    public EngineCore(TrolModel model, TrolTokenizer tokenizer, EngineConfig config) {
        this(model, tokenizer, config, StepForward.Fault.NONE);
    }

    /** With a fault seam consulted in every forward attempt (tests poison chosen requests). */
    EngineCore(TrolModel model, TrolTokenizer tokenizer, EngineConfig config, StepForward.Fault fault) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.pool = new PagedKvPool(model.kvLayout(), config.numKvBlocks(), config.kvBlockSize());
        this.blocks = new BlockManager(config.numKvBlocks(), config.prefixCache());
        this.kv = new KvCacheManager(blocks, config.kvBlockSize(), config.prefixCache(), model.imageTokenId(),
                model.imagePolicy()::tokens);
        this.vision = new VisionCache(model, config.visionCacheBytes());
        this.scheduler = new Scheduler(config, kv, stepCost, vision::toEncode);
        this.forward = new StepForward(new ModelRunner(model, pool), vision, fault);
        this.stopTokenIds = new int[] {tokenizer.eosTokenId(), tokenizer.endOfTurnTokenId()};
        this.completions = new Completions(stopTokenIds);
    }

    public EngineConfig config() {
        return config;
    }

    /** Accepts a request, or finishes it at once with an error saying why it can never run. */
    public void submit(EngineRequest input, RequestListener listener) {
        Request r = new Request(input, listener, new IncrementalDetokenizer(tokenizer), model.imageTokenId());
        String problem;
        try {
            problem = active.containsKey(input.id()) ? "a request with id " + input.id() + " is already running"
                    : RequestChecks.problem(r, model, kv, config);
            if (problem == null) {
                scheduler.add(r);   // throws before queueing it, or queues it
                active.put(input.id(), r);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "request %s could not be accepted", input.id());
            problem = "the request could not be accepted: " + e;
        }
        if (problem != null) {
            scheduler.finish(r);   // not in its queues; nothing held, but it ends like any other
            completions.finish(r, FinishReason.ERROR, problem);
        }
    }

    /** Ends a request at the next step with finish reason CANCELLED; unknown ids are ignored. */
    public void cancel(String requestId) {
        Request r = active.get(requestId);
        if (r != null) {
            r.cancelRequested = true;
        }
    }

    public boolean hasWork() {
        return scheduler.hasWork();
    }

    public StepReport step() {
        long started = System.nanoTime();
        expire();
        StepPlan plan = scheduler.schedule();
        preemptions += plan.preempted().size();
        if (plan.isEmpty()) {
            lastBatchSize = 0;   // an idle engine runs no batch; the gauges must not keep the last one
            return StepReport.IDLE;
        }
        for (StepPlan.Chunk c : plan.chunks()) {
            c.request().output.scheduledAt(started);
        }
        long encodedBefore = vision.tilesEncoded();
        StepForward.Outcome out = forward.run(plan);
        out.failed.forEach((r, e) -> finish(r, FinishReason.ERROR, "engine step failed: " + e.getMessage()));
        StepPlan computed = out.failed.isEmpty() ? plan : plan.keeping(r -> !out.failed.containsKey(r));
        int sampled = advance(computed, out.logits);
        RequestChecks.invariants(plan, config, scheduler, blocks);
        StepShape ran = plan.shape().plus(StepShape.encodes((int) (vision.tilesEncoded() - encodedBefore)));
        long took = System.nanoTime() - started;
        if (out.failed.isEmpty()) {
            stepCost.observe(ran, took);   // a step that failed and was retried in halves says nothing about its shape
        }
        return report(computed, sampled, took, out.forwardNanos, plan.predictedNanos(), ran);
    }

    /** Updates computed counts and blocks, then samples, emits and finishes. @return tokens sampled */
    private int advance(StepPlan plan, Map<Request, float[]> logits) {
        lastBatchSize = plan.chunks().size();
        for (StepPlan.Chunk c : plan.chunks()) {
            Request r = c.request();
            scheduler.computed(c);
            if (!r.prefilling()) {
                r.releaseImageFeatures();
            }
            if (c.traversed()) {
                promptTokens += c.numTokens();
                traversalPasses += (long) c.numTokens() * model.config().numLayers();
            }
        }
        int sampled = 0;
        for (StepPlan.Chunk c : plan.chunks()) {
            if (c.samples() && emit(c.request(), logits.get(c.request()))) {
                sampled++;
                generatedTokens++;
            }
        }
        return sampled;
    }

    /** Samples and streams one token; a failure (a listener throwing, say) ends this request only. */
    private boolean emit(Request r, float[] logits) {
        FinishReason done;
        try {
            done = completions.emit(r, logits, lastBatchSize);
        } catch (RuntimeException e) {
            LOG.errorf(e, "sampling or streaming a token of request %s failed; it ends with an error", r.id());
            finish(r, FinishReason.ERROR, "sampling or streaming a token failed: " + e);
            return false;
        }
        if (done != null) {
            finish(r, done, null);
        }
        return true;
    }

    private void expire() {
        Instant now = Instant.now();
        for (Request r : new ArrayList<>(active.values())) {
            if (r.cancelRequested) {
                finish(r, FinishReason.CANCELLED, null);
            } else if (r.input.deadline() != null && now.isAfter(r.input.deadline())) {
                finish(r, FinishReason.DEADLINE, null);
            }
        }
    }

    private void finish(Request r, FinishReason reason, String error) {
        scheduler.finish(r);
        active.remove(r.id());
        r.releaseImageFeatures();
        completions.finish(r, reason, error);
    }

    /** @param ran the step's work as the cost model saw it (the planned chunks and the encodes made) */
    private StepReport report(StepPlan plan, int sampled, long stepNanos, long forwardNanos, long predictedNanos,
                              StepShape ran) {
        steps++;
        int tokens = 0;
        int prefill = 0;
        boolean decodeOnly = true;
        for (StepPlan.Chunk c : plan.chunks()) {
            tokens += c.numTokens();
            prefill += c.traversed() ? 1 : 0;
            decodeOnly &= c.numTokens() == 1 && !c.traversed();
        }
        return new StepReport(plan.chunks().size(), prefill, tokens, sampled, decodeOnly, stepNanos, forwardNanos,
                predictedNanos, ran.traversedRows(), ran.visionEncodes());
    }

    /** What the step cost model has learnt so far (benchmarks print it). */
    public String stepCostFit() {
        FittedStepCost.Fit f = stepCost.fit();
        return String.format("step ≈ %.1f ms + %.2f ms/decode row + %.2f ms/traversed row + %.3f ms/1k keys + %.1f ms/image tile"
                + " (fitted to %d steps)", f.fixed() / 1e6, f.perDecodeRow() / 1e6, f.perTraversedRow() / 1e6,
                f.perThousandKeys() / 1e6, f.perEncode() / 1e6, f.steps());
    }

    public EngineStats stats() {
        return new EngineStats(scheduler.running().size(), scheduler.waiting().size(), lastBatchSize, config.numKvBlocks(),
                blocks.numFreeBlocks(), blocks.numCachedBlocks(), vision.bytes(), vision.misses(), vision.hits(), steps,
                preemptions, promptTokens,
                generatedTokens, traversalPasses, kv.prefixHitTokens());
    }

    /** Ends every request still in the engine as CANCELLED and frees all native memory. */
    @Override
    public void close() {
        for (Request r : new ArrayList<>(active.values())) {
            finish(r, FinishReason.CANCELLED, "engine shut down");
        }
        vision.close();
        pool.close();
    }
}
