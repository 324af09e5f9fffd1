package io.trolserve.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * On partition assignment, finds which uncommitted requests are already answered, so that they are
 * committed instead of run again (an idempotent consumer): after a crash, answers published just
 * before it would otherwise be published twice.
 *
 * <p>Answers follow their requests, so any answer to a request at or after a partition's committed
 * offset was written after that record was produced. The scan reads {@code trol.answers} (all its
 * partitions: answers are keyed by id, requests maybe by a routing key) from the earliest such
 * record's timestamp, less a minute for clock skew, to the end as it was when the scan began, and
 * keeps the record keys, which are the ids. It runs on the consumer's polling thread before any
 * record of the new partitions is handed out, with its own short-lived consumer, bounded in time
 * and ids; when it cannot finish, intake goes on with what it read and plain at-least-once applies.
 */
@ApplicationScoped
@Identifier(AnsweredIdsScan.NAME)
public class AnsweredIdsScan implements KafkaConsumerRebalanceListener {

    static final String NAME = "trol-requests-answered-scan";
    private static final Logger LOG = Logger.getLogger(AnsweredIdsScan.class);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    @Inject
    MessagingSettings settings;

    @Inject
    KafkaSettings kafka;

    private AnsweredIds answered;

    @PostConstruct
    void init() {
        answered = new AnsweredIds(settings.answeredScan().maxIds());
    }

    AnsweredIds answered() {
        return answered;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!settings.answeredScan().enabled() || partitions.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        Instant deadline = Instant.now().plus(settings.answeredScan().timeout());
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerProperties())) {
            Long from = oldestUncommittedTimestamp(consumer, reader, partitions, deadline);
            if (from == null) {
                return;   // every assigned partition is committed to its end: nothing can be a duplicate
            }
            long floor = Instant.now().minus(settings.answeredScan().maxLookback()).toEpochMilli();
            List<String> ids = answeredSince(reader, Math.max(floor, from - CLOCK_SKEW.toMillis()), deadline);
            answered.addAll(ids);
            LOG.infof("partitions %s assigned: %d answers since %s found in %s ms", partitions, ids.size(),
                    Instant.ofEpochMilli(from), (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warnf("could not read %s back on assignment (%s); requests answered just before may be answered again",
                    kafka.topics().answers(), e.toString());
        }
    }

    /** The create time of the oldest record not yet committed in the partitions; null if there is none. */
    private Long oldestUncommittedTimestamp(Consumer<?, ?> consumer, KafkaConsumer<byte[], byte[]> reader,
                                            Collection<TopicPartition> partitions, Instant deadline) {
        Set<TopicPartition> set = new HashSet<>(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(set, remaining(deadline));
        Map<TopicPartition, Long> ends = reader.endOffsets(set, remaining(deadline));
        Map<TopicPartition, Long> beginnings = reader.beginningOffsets(set, remaining(deadline));
        Long oldest = null;
        for (TopicPartition tp : set) {
            OffsetAndMetadata c = committed.get(tp);
            long from = Math.max(c == null ? 0 : c.offset(), beginnings.getOrDefault(tp, 0L));
            if (from >= ends.getOrDefault(tp, 0L)) {
                continue;
            }
            reader.assign(List.of(tp));
            reader.seek(tp, from);
            Long ts = firstTimestamp(reader, deadline);
            if (ts != null && (oldest == null || ts < oldest)) {
                oldest = ts;
            }
        }
        return oldest;
    }

    private static Long firstTimestamp(KafkaConsumer<byte[], byte[]> reader, Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                return r.timestamp();
            }
        }
        return null;
    }

    /** The keys of the answers written at or after {@code fromMillis}, up to the end as of now. */
    private List<String> answeredSince(KafkaConsumer<byte[], byte[]> reader, long fromMillis, Instant deadline) {
        List<TopicPartition> answerPartitions = new ArrayList<>();
        for (PartitionInfo p : reader.partitionsFor(kafka.topics().answers(), remaining(deadline))) {
            answerPartitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        Map<TopicPartition, Long> ends = reader.endOffsets(answerPartitions, remaining(deadline));
        Map<TopicPartition, Long> times = new HashMap<>();
        answerPartitions.forEach(tp -> times.put(tp, fromMillis));
        Map<TopicPartition, OffsetAndTimestamp> starts = reader.offsetsForTimes(times, remaining(deadline));
        Set<TopicPartition> open = new HashSet<>();
        for (TopicPartition tp : answerPartitions) {
            OffsetAndTimestamp start = starts.get(tp);
            if (start != null && start.offset() < ends.get(tp)) {
                open.add(tp);
            }
        }
        reader.assign(open);
        open.forEach(tp -> reader.seek(tp, starts.get(tp).offset()));
        List<String> ids = new ArrayList<>();
        while (!open.isEmpty() && Instant.now().isBefore(deadline) && ids.size() < settings.answeredScan().maxIds()) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (r.key() != null && r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    ids.add(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            open.removeIf(tp -> reader.position(tp) >= ends.get(tp));
        }
        if (!open.isEmpty()) {
            LOG.warnf("the scan of %s stopped at its bounds (%d ids); older answers may be answered again",
                    kafka.topics().answers(), ids.size());
        }
        return ids;
    }

    private Properties readerProperties() {
        Properties p = KafkaClientSettings.fromConfig();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig()
                .getValue("mp.messaging.connector.smallrye-kafka.bootstrap.servers", String.class));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "trol-serve-answered-scan");
        return p;
    }

    private static Duration remaining(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
