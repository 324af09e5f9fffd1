package io.trolserve.messaging;

import java.nio.file.Path;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Where Kafka is: {@code kafka.bootstrap.servers} (or KAFKA_BOOTSTRAP_SERVERS) names a cluster; when
 * neither is set, {@code serve} starts an embedded single-node broker on loopback. Which topics the
 * service uses: {@code trol.kafka.topics.*}, by default the names in {@link Topics}.
 */
@ConfigMapping(prefix = "trol.kafka")
public interface KafkaSettings {

    Embedded embedded();

    ConfiguredTopics topics();

    interface Embedded {
        /** Port of the embedded broker; the channels' default bootstrap address uses it too. */
        @WithDefault("9092")
        int port();

        @WithDefault("${user.home}/.cache/trol-serve/kafka")
        Path dataDir();

        /** Partitions of the topics the service creates on the embedded broker. */
        @WithDefault("4")
        int partitions();
    }

    /**
     * The topic each part reads or writes. application.properties points every channel's topic at
     * these settings (with the same defaults), so that one override moves every client: the
     * channels, the REST side, the analytics, {@code ask} and {@code bench kafka}.
     */
    interface ConfiguredTopics {
        @WithDefault(Topics.REQUESTS)
        String requests();

        @WithDefault(Topics.ANSWERS)
        String answers();

        @WithDefault(Topics.TOKENS)
        String tokens();

        @WithName("requests-dlq")
        @WithDefault(Topics.REQUESTS_DLQ)
        String requestsDlq();

        /** Windowed latency aggregates per model, written by the analytics topology. */
        @WithName("latency-stats")
        @WithDefault(Topics.LATENCY_STATS)
        String latencyStats();

        /** Windows whose latency p99 broke an objective (trol.analytics.slo.*). */
        @WithName("slo-alerts")
        @WithDefault(Topics.SLO_ALERTS)
        String sloAlerts();
    }
}
