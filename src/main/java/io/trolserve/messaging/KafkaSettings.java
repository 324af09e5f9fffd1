package io.trolserve.messaging;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Where Kafka is: {@code kafka.bootstrap.servers} (or KAFKA_BOOTSTRAP_SERVERS) names a cluster; when
 * neither is set, {@code serve} starts an embedded single-node broker on loopback.
 */
@ConfigMapping(prefix = "trol.kafka")
public interface KafkaSettings {

    Embedded embedded();

    Topics topics();

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

    interface Topics {
        @WithDefault("trol.requests")
        String requests();

        @WithDefault("trol.answers")
        String answers();

        @WithDefault("trol.tokens")
        String tokens();

        @WithName("requests-dlq")
        @WithDefault("trol.requests.dlq")
        String requestsDlq();

        /** Windowed latency aggregates per model, written by the analytics topology. */
        @WithName("latency-stats")
        @WithDefault("trol.latency-stats")
        String latencyStats();

        /** Windows whose latency p99 broke an objective (trol.analytics.slo.*). */
        @WithName("slo-alerts")
        @WithDefault("trol.slo-alerts")
        String sloAlerts();
    }
}
