package io.trolserve.api;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which partitions the REST side's consumers ({@code rest-answers}, {@code rest-tokens}) hold.
 * They read from the latest offset, so a record written before a consumer holds its partition and
 * knows its position there is never read: a POST published then would wait out its timeout for an
 * answer that went by. Readiness waits for both ({@link ServiceHealth}).
 *
 * <p>Each of the two has a consumer group of its own (application.properties): sharing one, the
 * second to join revoked the first one's partitions, and a startup once stayed in that rebalance
 * until shutdown.
 */
@ApplicationScoped
@Identifier(RestConsumerAssignment.NAME)
public class RestConsumerAssignment implements KafkaConsumerRebalanceListener {

    static final String NAME = "trol-rest-assignment";

    private final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // resolves "latest" to an offset now, on the polling thread, before readiness can say UP:
        // anything written after that is read
        for (TopicPartition partition : partitions) {
            consumer.position(partition);
        }
        held.addAll(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        held.removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        held.removeAll(partitions);
    }

    /** Whether a REST consumer holds a partition of this topic, its position known. */
    boolean holds(String topic) {
        return held.stream().anyMatch(p -> p.topic().equals(topic));
    }
}
