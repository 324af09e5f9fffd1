package io.trolserve.metrics;

/**
 * Every serving metric's name, in one place. These are Micrometer names; the Prometheus registry
 * writes dots as underscores and appends {@code _seconds} to timers, {@code _total} to counters and
 * the base unit to gauges that declare one, giving the names in the README ("Metrics")
 * ({@code trol.time.to.first.token} is {@code trol_time_to_first_token_seconds}). They follow
 * vLLM's, with {@code trol_} for {@code vllm:}, so existing dashboards and queries carry over.
 */
public final class MetricNames {

    // histograms (timers), one sample per token or per request
    public static final String TIME_TO_FIRST_TOKEN = "trol.time.to.first.token";
    /** vLLM's older name for it is time_per_output_token. */
    public static final String INTER_TOKEN_LATENCY = "trol.inter.token.latency";
    public static final String E2E_REQUEST_LATENCY = "trol.e2e.request.latency";
    public static final String REQUEST_QUEUE_TIME = "trol.request.queue.time";
    public static final String REQUEST_VISION_TIME = "trol.request.vision.time";
    public static final String REQUEST_PREFILL_TIME = "trol.request.prefill.time";

    // gauges over the engine's snapshot
    public static final String NUM_REQUESTS_RUNNING = "trol.num.requests.running";
    public static final String NUM_REQUESTS_WAITING = "trol.num.requests.waiting";
    public static final String BATCH_SIZE = "trol.batch.size";
    public static final String KV_BLOCKS_USED = "trol.kv.blocks.used";
    public static final String KV_BLOCKS_FREE = "trol.kv.blocks.free";
    public static final String KV_BLOCKS_TOTAL = "trol.kv.blocks.total";
    /** Base unit bytes: exported as {@code trol_vision_cache_bytes}. */
    public static final String VISION_CACHE = "trol.vision.cache";

    // counters over the engine's snapshot
    public static final String PROMPT_TOKENS = "trol.prompt.tokens";
    public static final String GENERATION_TOKENS = "trol.generation.tokens";
    public static final String TRAVERSAL_PASSES = "trol.traversal.passes";
    public static final String PREEMPTIONS = "trol.preemptions";

    // counters incremented by the messaging side
    public static final String REQUESTS_FINISHED = "trol.requests.finished";
    public static final String DLQ_RECORDS = "trol.dlq.records";
    /** Records committed without running: their id was in flight here, or already answered. */
    public static final String REQUESTS_SKIPPED = "trol.requests.skipped";
    /** Request fields v1 does not define (ignored), one per field per record. */
    public static final String UNKNOWN_FIELDS = "trol.request.unknown.fields";

    public static final String TAG_MODEL = "model";
    public static final String TAG_FINISH_REASON = "finish_reason";
    public static final String TAG_ERROR_CODE = "error_code";
    public static final String TAG_REASON = "reason";

    private MetricNames() {
    }
}
