package io.trolserve.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.trolserve.engine.kv.BlockManager;
import io.trolserve.vision.DecodedImage;

/**
 * The scheduler with everything around it but tensors: a real block pool and KV manager, requests
 * with image tokens, an image cache that is only a set of hashes, and {@link #advance} doing what
 * the engine does after a forward (counts, pass-2 blocks, a token for every sampling chunk, finishing).
 * Nothing here loads libtorch ({@link EngineUnitTestsLoadNoNativeCodeTest} checks it).
 */
final class SchedulerRig {

    static final int IMAGE_TOKEN = 1000;
    static final int IMAGE_TOKENS = 64;

    final EngineConfig config;
    final KvCacheManager kv;
    final Scheduler scheduler;
    final Set<String> encoded = new HashSet<>();
    final List<Request> finished = new ArrayList<>();

    /** A large pool of 16-token blocks without prefix caching: the latency tests count tokens, not blocks. */
    SchedulerRig(Duration target, StepCostModel cost, int maxBatchTokens, int maxRunning) {
        this(EngineConfig.defaults(4096).withPrefill(512, maxBatchTokens).withMaxRunning(maxRunning)
                .withKv(16, 4096, false).withItlTarget(target), cost);
    }

    /** Any configuration (a tiny pool, to name exact block ids), with no latency target. */
    SchedulerRig(EngineConfig config) {
        this(config, StepCostModel.NONE);
    }

    private SchedulerRig(EngineConfig config, StepCostModel cost) {
        this.config = config;
        kv = new KvCacheManager(new BlockManager(config.numKvBlocks(), config.prefixCache()), config.kvBlockSize(),
                config.prefixCache(), IMAGE_TOKEN, IMAGE_TOKENS);
        scheduler = new Scheduler(config, kv, cost, this::toEncode);
    }

    /** A text-only request: prompt tokens 3, 4, 5, ... (so two of the same length share every prefix). */
    static Request textRequest(String id, int promptLength, int outputs) {
        int[] prompt = new int[promptLength];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 3 + i;
        }
        return request(id, prompt, List.of(), outputs);
    }

    static Request request(String id, int[] prompt, List<DecodedImage> images, int outputs) {
        EngineRequest input = EngineRequest.of(id, prompt, images, SamplingParams.greedy(outputs).ignoringEos());
        return new Request(input, null, null, IMAGE_TOKEN);
    }

    /** A request of {@code textTokens} text tokens around one image's tokens, generating {@code outputs} tokens. */
    static Request request(String id, int textTokens, int outputs) {
        return imageRequest(id, textTokens, "image-" + id, outputs);
    }

    /** The same, with an image of the given content hash: requests with the same image and text share prefixes. */
    static Request imageRequest(String id, int textTokens, String imageHash, int outputs) {
        int[] prompt = new int[textTokens + IMAGE_TOKENS];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = i >= textTokens / 2 && i < textTokens / 2 + IMAGE_TOKENS ? IMAGE_TOKEN : 3 + i % 500;
        }
        return request(id, prompt, List.of(new DecodedImage(2, 2, new byte[12], imageHash)), outputs);
    }

    Request submit(Request r) {
        scheduler.add(r);
        return r;
    }

    private List<String> toEncode(Request r) {
        if (!r.prefilling() || encoded.contains(r.id())) {
            return List.of();
        }
        return r.input.images().stream().map(DecodedImage::contentHash).toList();
    }

    /** What the engine does once the plan's forward ran: every chunk computed, a token for each sampling one. */
    List<Request> advance(StepPlan plan) {
        List<Request> sampled = new ArrayList<>();
        for (StepPlan.Chunk c : plan.chunks()) {
            Request r = c.request();
            encoded.add(r.id());
            scheduler.computed(c);
            if (c.samples()) {
                r.appendOutput(7);
                sampled.add(r);
                if (r.numOutputs() == r.input.params().maxNewTokens()) {
                    scheduler.finish(r);
                    finished.add(r);
                }
            }
        }
        return sampled;
    }

    /** One engine step without the forward: plan, advance, and the checks the engine makes after every step. */
    StepPlan step() {
        StepPlan plan = scheduler.schedule();
        advance(plan);
        RequestChecks.invariants(plan, config, scheduler, kv.blocks());
        return plan;
    }

    /** The plan's chunks, each as {@code id[start,end)} with "traversed" and "samples" where they hold. */
    static List<String> chunks(StepPlan plan) {
        return plan.chunks().stream().map(c -> c.request().id() + "[" + c.start() + "," + c.end() + ")"
                + (c.traversed() ? " traversed" : "") + (c.samples() ? " samples" : "")).toList();
    }

    /** Steps until every running request decodes (its prompt done), so the next plan is latency-bound. */
    void runUntilAllDecode() {
        while (scheduler.running().stream().anyMatch(Request::prefilling) || !scheduler.waiting().isEmpty()) {
            advance(scheduler.schedule());
        }
    }
}
