package io.trolserve.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

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
    /** How long an assignment may wait for its positions, all partitions together. */
    static final Duration POSITION_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(RestConsumerAssignment.class);

    private final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // resolves "latest" to an offset now, on the polling thread, before readiness can say UP:
        // anything written after that is read
        Instant deadline = Instant.now().plus(POSITION_TIMEOUT);
        try {
            for (TopicPartition partition : partitions) {
                Duration left = Duration.between(Instant.now(), deadline);
                consumer.position(partition, left.isNegative() ? Duration.ZERO : left);
            }
        } catch (WakeupException | InterruptException e) {
            throw e;   // the consumer is being closed: let its poll end
        } catch (RuntimeException e) {
            // thrown from here it would fail the channel's poll; unready until the next rebalance
            // would keep the instance out of service for nothing: its own poll resolves the rest
            LOG.warnf("could not resolve the start of %s within %s (%s); an answer published in the next"
                    + " moments may be missed", partitions, POSITION_TIMEOUT, e.toString());
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
