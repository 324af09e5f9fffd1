package io.trolserve.analytics;

import org.apache.kafka.streams.Topology;

import io.quarkus.arc.lookup.LookupIfProperty;
import io.trolserve.messaging.KafkaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * Hands the latency topology to the Kafka Streams extension, which starts it once its source
 * topics exist. With {@code trol.analytics.enabled=false} (always in the {@code cli} profile) the
 * extension finds no topology and starts nothing, so other subcommands open no Kafka client.
 */
@ApplicationScoped
public class AnalyticsTopologyProducer {

    @Inject
    KafkaSettings kafka;

    @Inject
    AnalyticsSettings settings;

    // @Dependent, not a normal scope: Kafka Streams reads the topology's fields, which a client proxy lacks
    @Produces
    @LookupIfProperty(name = "trol.analytics.enabled", stringValue = "true")
    Topology latencyTopology() {
        KafkaSettings.ConfiguredTopics t = kafka.topics();
        return new LatencyTopology(new LatencyTopology.Topics(t.tokens(), t.answers(), t.latencyStats(), t.sloAlerts()),
                settings).build();
    }
}
