package io.trolserve.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Which settings our own Kafka clients take from configuration: the same names the service's
 * channels take (dotted properties and KAFKA_* environment variables), security keys only.
 */
class KafkaClientSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"trol\" password=\"s3cret\";";

    @Test
    void dottedPropertiesGiveTheSecurityKeysOnly() {
        Config config = config(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config", JAAS,
                "kafka.ssl.truststore.location", "/etc/trol/kafka-tls/ca.crt",
                "kafka.ssl.truststore.type", "PEM",
                "kafka.bootstrap.servers", "kafka-0:9093",
                "kafka.max.poll.records", "5",
                "kafka-streams.sasl.mechanism", "PLAIN",
                "trol.kafka.topics.requests", "trol.requests"), Map.of());

        assertThat(KafkaClientSettings.collect(config)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/trol/kafka-tls/ca.crt",
                "ssl.truststore.type", "PEM"));
    }

    @Test
    void environmentVariablesMapLikeQuarkusDoesForTheChannels() {
        Config config = config(Map.of(), Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_KEYSTORE_LOCATION", "/etc/trol/kafka-tls/user.p12",
                "KAFKA_SSL_KEYSTORE_TYPE", "PKCS12",
                "KAFKA_SSL_KEYSTORE_PASSWORD", "changeit",
                "KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "https",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9093",
                "SASL_USERNAME", "trol"));

        assertThat(KafkaClientSettings.collect(config)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SSL",
                "ssl.keystore.location", "/etc/trol/kafka-tls/user.p12",
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.password", "changeit",
                "ssl.endpoint.identification.algorithm", "https"));
    }

    @Test
    void anEnvironmentVariableOverridesTheSameSettingInAFile() {
        Config config = config(Map.of("kafka.sasl.mechanism", "PLAIN"), Map.of("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256"));

        assertThat(KafkaClientSettings.collect(config)).containsExactlyEntriesOf(Map.of("sasl.mechanism", "SCRAM-SHA-256"));
    }

    @Test
    void emptyValuesCountAsUnset() {
        Config config = config(Map.of("kafka.security.protocol", ""), Map.of("KAFKA_SASL_JAAS_CONFIG", ""));

        assertThat(KafkaClientSettings.collect(config)).isEmpty();
    }

    @Test
    void everyCollectedKeyIsAKafkaClientSetting() {
        Config config = config(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.sasl.jaas.config", JAAS,
                "kafka.ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----"), Map.of(
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SASL_LOGIN_REFRESH_BUFFER_SECONDS", "60"));

        Map<String, String> collected = KafkaClientSettings.collect(config);
        assertThat(collected).hasSize(6);
        assertThat(ProducerConfig.configNames()).containsAll(collected.keySet());
        assertThat(ConsumerConfig.configNames()).containsAll(collected.keySet());
        assertThat(AdminClientConfig.configNames()).containsAll(collected.keySet());
    }

    @Test
    void onlyTheKafkaPrefixFollowedByASeparatorCounts() {
        assertThat(KafkaClientSettings.clientKey("KAFKA_SASL_MECHANISM")).isEqualTo("sasl.mechanism");
        assertThat(KafkaClientSettings.clientKey("kafka.ssl.key.password")).isEqualTo("ssl.key.password");
        assertThat(KafkaClientSettings.clientKey("kafka-streams.ssl.key.password")).isNull();
        assertThat(KafkaClientSettings.clientKey("kafkassl.protocol")).isNull();
        assertThat(KafkaClientSettings.clientKey("kafka")).isNull();
        assertThat(KafkaClientSettings.clientKey("mp.messaging.connector.smallrye-kafka.ssl.protocol")).isNull();
    }

    /** A configuration as the service would see it: a properties file (250) under the environment (300). */
    private static Config config(Map<String, String> properties, Map<String, String> environment) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withSources(new EnvConfigSource(environment, 300))
                .build();
    }
}
