package io.trolserve.messaging;

import java.util.List;

/**
 * The default name of every Kafka topic the service uses, and the name of each SmallRye channel: a
 * channel is named after the topic it uses by default. Two different things, then: a channel's
 * NAME is fixed, a constant here, because annotations take it ({@code @Incoming(Topics.REQUESTS)});
 * the TOPIC it reads or writes is configuration, {@code trol.kafka.topics.*}
 * ({@link KafkaSettings.ConfiguredTopics}), which defaults to that same name. application.properties
 * sets each channel's topic from those settings, and code that reaches a topic at run time (the
 * embedded broker's topic creation, the analytics topology, the answered-ids scan, {@code ask},
 * {@code bench kafka}) reads {@link KafkaSettings}, not these constants.
 *
 * <p>In application.properties a name with dots is quoted, {@code mp.messaging.incoming."trol.requests".group.id};
 * as an environment variable its quotes and dots all become underscores,
 * {@code MP_MESSAGING_INCOMING__TROL_REQUESTS__GROUP_ID}.
 *
 * <p>The one exception is the REST side, {@code REST_*}: it writes trol.requests and reads
 * trol.answers and trol.tokens, the topics the serving channels use in the other direction, and
 * SmallRye refuses one name for an incoming and an outgoing channel of an application (SRMSG00073;
 * it would otherwise wire the two together in memory, past Kafka). Its channels have names of
 * their own and take their topics from the same settings.
 */
public final class Topics {

    /** Image-questions in (keyed by request id or a routing key). */
    public static final String REQUESTS = "trol.requests";

    /** One record per generated token, keyed by request id. */
    public static final String TOKENS = "trol.tokens";

    /** One record per finished request, keyed by request id. */
    public static final String ANSWERS = "trol.answers";

    /** Rejected requests, unchanged, with headers naming the reason. */
    public static final String REQUESTS_DLQ = "trol.requests.dlq";

    /** Windowed latency aggregates per model, written by the analytics topology. */
    public static final String LATENCY_STATS = "trol.latency-stats";

    /** Windows whose latency p99 broke an objective (trol.analytics.slo.*). */
    public static final String SLO_ALERTS = "trol.slo-alerts";

    /** Every topic above, in pipeline order: what a deployment on the defaults creates. */
    public static final List<String> ALL = List.of(REQUESTS, TOKENS, ANSWERS, REQUESTS_DLQ, LATENCY_STATS, SLO_ALERTS);

    /** The REST side's channel to {@link #REQUESTS}. */
    public static final String REST_REQUESTS = "rest-requests";

    /** The REST side's channel from {@link #ANSWERS}. */
    public static final String REST_ANSWERS = "rest-answers";

    /** The REST side's channel from {@link #TOKENS}. */
    public static final String REST_TOKENS = "rest-tokens";

    private Topics() {
    }
}
