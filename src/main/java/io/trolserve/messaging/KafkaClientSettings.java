package io.trolserve.messaging;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The connection-security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) of
 * the Kafka clients this code creates itself ({@code ask}), so that they reach a secured cluster
 * exactly as the service's channels do.
 *
 * <p>The channels get them from Quarkus, which hands every {@code kafka.}-prefixed property to
 * each SmallRye Kafka channel as its defaults (Quarkus 3.33 {@code KafkaRuntimeConfigProducer},
 * bean {@code default-kafka-broker}). It walks all property names, environment variables
 * included, keeps those whose lower-cased name starts with "kafka", drops the prefix and turns
 * {@code _} into {@code .}: KAFKA_SASL_JAAS_CONFIG and kafka.sasl.jaas.config both become
 * {@code sasl.jaas.config}. {@link #collect} follows the same rule, so one setting configures both.
 * Unlike Quarkus it skips empty values: SmallRye Config reads an empty value as "not set".
 *
 * <p>Only security keys are taken: tuning such as {@code kafka.max.poll.records} belongs to the
 * channels, and {@code bootstrap.servers} has its own resolution in each client.
 */
public final class KafkaClientSettings {

    private static final String PREFIX = "kafka";

    private KafkaClientSettings() {
    }

    /** The security settings from the application's configuration, as client properties. */
    public static Properties fromConfig() {
        Properties p = new Properties();
        p.putAll(collect(ConfigProvider.getConfig()));
        return p;
    }

    /** Client property name to value, e.g. {@code sasl.mechanism -> SCRAM-SHA-512}; sorted for stable logs. */
    static Map<String, String> collect(Config config) {
        Map<String, String> out = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            String key = clientKey(name);
            if (key != null && isSecurityKey(key)) {
                config.getOptionalValue(name, String.class)
                        .filter(v -> !v.isEmpty())
                        .ifPresent(v -> out.put(key, v));
            }
        }
        return out;
    }

    /** kafka.ssl.truststore.location or KAFKA_SSL_TRUSTSTORE_LOCATION -> ssl.truststore.location; else null. */
    static String clientKey(String propertyName) {
        String lower = propertyName.toLowerCase(Locale.ROOT);
        // "kafka." or "KAFKA_": the separator is either; "kafka-streams." is a different client's namespace
        if (lower.length() <= PREFIX.length() + 1 || !lower.startsWith(PREFIX)) {
            return null;
        }
        char separator = lower.charAt(PREFIX.length());
        if (separator != '.' && separator != '_') {
            return null;
        }
        return lower.substring(PREFIX.length() + 1).replace('_', '.');
    }

    private static boolean isSecurityKey(String key) {
        return key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl.");
    }
}
