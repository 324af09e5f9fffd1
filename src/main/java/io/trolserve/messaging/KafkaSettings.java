package io.trolserve.messaging;

import java.nio.file.Path;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where Kafka is: {@code kafka.bootstrap.servers} (or KAFKA_BOOTSTRAP_SERVERS) names a cluster; when
 * neither is set, {@code serve} starts an embedded single-node broker on loopback. The topics'
 * names are {@link Topics}.
 */
@ConfigMapping(prefix = "trol.kafka")
public interface KafkaSettings {

    Embedded embedded();

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
}
