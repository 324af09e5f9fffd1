package io.trolserve.broker;

import static io.trolserve.broker.KafkaTestClients.consume;
import static io.trolserve.broker.KafkaTestClients.consumer;
import static io.trolserve.broker.KafkaTestClients.drain;
import static io.trolserve.broker.KafkaTestClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker in this JVM: produce, consume, restart on the same data, refuse bad setups. */
class EmbeddedKafkaBrokerTest {

    @TempDir
    static Path tmp;

    private static Path dataDir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        BrokerLogging.quiet();
        dataDir = tmp.resolve("kafka");
        broker = EmbeddedKafkaBroker.start(dataDir, "127.0.0.1", 0);
        System.out.printf("embedded broker started in %d ms (formatted: %s)%n",
                broker.startupTime().toMillis(), broker.formattedOnStart());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void recordsAndCommittedOffsetsSurviveARestart() throws Exception {
        assertThat(broker.formattedOnStart()).isTrue();
        assertThat(broker.port()).isPositive();
        assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
        String topic = "restart-test";
        broker.createTopics(Map.of(topic, 4));

        List<RecordMetadata> acks = produce(broker.bootstrapServers(), topic, "v", 100);
        assertThat(acks).extracting(RecordMetadata::partition).containsOnly(0, 1, 2, 3);
        Set<String> expected = IntStream.range(0, 100).mapToObj(i -> "v" + i).collect(Collectors.toSet());

        try (KafkaConsumer<String, String> c = consumer(broker.bootstrapServers(), "g-committed")) {
            List<ConsumerRecord<String, String>> got = consume(c, topic, 100, Duration.ofSeconds(30));
            assertThat(got).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(expected);
        }

        String clusterId = broker.clusterId();
        int oldPort = broker.port();
        long t0 = System.nanoTime();
        broker.close();
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        broker.close(); // idempotent
        assertThat(broker.isRunning()).isFalse();
        assertThatThrownBy(() -> broker.createTopics(Map.of("x", 1))).isInstanceOf(IllegalStateException.class);

        broker = EmbeddedKafkaBroker.start(dataDir, "127.0.0.1", 0);
        System.out.printf("close took %d ms, restart took %d ms (old port %d, new port %d)%n",
                closeMs, broker.startupTime().toMillis(), oldPort, broker.port());
        assertThat(broker.formattedOnStart()).isFalse();
        assertThat(broker.clusterId()).isEqualTo(clusterId);

        // every record is still there for a new group
        try (KafkaConsumer<String, String> c = consumer(broker.bootstrapServers(), "g-after-restart")) {
            List<ConsumerRecord<String, String>> got = consume(c, topic, 100, Duration.ofSeconds(30));
            assertThat(got).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(expected);
        }
        // the old group's committed offsets survived: it sees only what is produced now
        produce(broker.bootstrapServers(), topic, "after", 10);
        try (KafkaConsumer<String, String> c = consumer(broker.bootstrapServers(), "g-committed")) {
            Set<TopicPartition> partitions = IntStream.range(0, 4)
                    .mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(partitions, Duration.ofSeconds(20));
            assertThat(committed.values()).doesNotContainNull();
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(100);
            List<ConsumerRecord<String, String>> got = consume(c, topic, 10, Duration.ofSeconds(30));
            got.addAll(drain(c, Duration.ofMillis(500)));
            assertThat(got).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).mapToObj(i -> "after" + i).toList());
        }
    }

    @Test
    void createTopicsIsIdempotentAndAutoCreateUsesDefaultPartitions() throws Exception {
        broker.createTopics(Map.of("idem-a", 3, "idem-b", 1));
        broker.createTopics(Map.of("idem-a", 3, "idem-c", 2));
        produce(broker.bootstrapServers(), "auto-created", "x", 1);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            var topics = admin.describeTopics(List.of("idem-a", "idem-b", "idem-c", "auto-created"))
                    .allTopicNames().get();
            assertThat(topics.get("idem-a").partitions()).hasSize(3);
            assertThat(topics.get("idem-b").partitions()).hasSize(1);
            assertThat(topics.get("idem-c").partitions()).hasSize(2);
            assertThat(topics.get("auto-created").partitions()).hasSize(EmbeddedKafkaBroker.DEFAULT_PARTITIONS);
        }
        assertThatThrownBy(() -> broker.createTopics(Map.of("bad", 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPortInUseIsNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(tmp.resolve("port-in-use"), "127.0.0.1", port))
                    .isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void anUnusableDataDirIsNamed() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(file, "127.0.0.1", 0))
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(file.resolve("below"), "127.0.0.1", 0))
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("cannot be created");
    }

    @Test
    void aDataDirOfAnotherNodeIsRefused() throws IOException {
        Path other = tmp.resolve("other-node");
        Path logDir = Files.createDirectories(other.resolve(EmbeddedKafkaBroker.LOG_DIR_NAME));
        Files.writeString(logDir.resolve("meta.properties"),
                "version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\nnode.id=7\n");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(other, "127.0.0.1", 0))
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("formatted for Kafka node id 7")
                .hasMessageContaining(other.toString());
    }

    @Test
    void aDataDirInUseByARunningBrokerIsRefused() {
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(dataDir, "127.0.0.1", 0))
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("in use by another Kafka process");
        assertThat(broker.isRunning()).isTrue();
    }
}
