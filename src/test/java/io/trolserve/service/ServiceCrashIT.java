package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import io.trolserve.messaging.broker.EmbeddedKafkaBroker;

/**
 * At-least-once across a crash: 300 requests, the service killed with SIGKILL while they are
 * being answered, then restarted: every request is answered, and a request is answered twice
 * only if its record had not been committed when the service died.
 */
class ServiceCrashIT {

    private static final int REQUESTS = 300;

    @Test
    void killedMidStreamThenRestartedEveryRequestIsAnswered() throws Exception {
        Path work = Files.createTempDirectory("trol-crash-it-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0);
             KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers())) {
            broker.createTopics(Map.of(ServiceRecords.REQUESTS, 4, ServiceRecords.ANSWERS, 4, ServiceRecords.TOKENS, 4, ServiceRecords.DLQ, 1));
            Path model = ServiceProcess.initTiny(work.resolve("micro"));
            ServiceProcess first = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("first.log")).start();

            Map<String, RecordMetadata> where = new HashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                String id = "crash-" + i;
                byte[] request = ServiceRecords.json("{\"id\":\"" + id + "\",\"question\":\"Question " + i
                        + "?\",\"params\":{\"maxNewTokens\":40}}");
                where.put(id, kafka.send(ServiceRecords.REQUESTS, id, request));
            }
            List<ConsumerRecord<byte[], byte[]>> before = kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(2),
                    read -> ServiceRecords.idsOf(read, "crash-").size() >= REQUESTS / 4);
            first.kill();
            Map<Integer, Long> committed = kafka.committed("trol-serve", ServiceRecords.REQUESTS);
            Set<String> answeredBefore = ServiceRecords.idsOf(before, "crash-");
            assertThat(answeredBefore).as("the kill came while requests were in flight").hasSizeLessThan(REQUESTS);

            try (ServiceProcess second = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("second.log")).start()) {
                List<ConsumerRecord<byte[], byte[]>> all = kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(4),
                        read -> ServiceRecords.idsOf(read, "crash-").size() == REQUESTS);
                assertThat(ServiceRecords.idsOf(all, "crash-")).as("nothing accepted is lost").hasSize(REQUESTS);
                Map<String, Long> counts = all.stream().map(KafkaTestClient::key).filter(k -> k.startsWith("crash-"))
                        .collect(Collectors.groupingBy(k -> k, Collectors.counting()));
                for (Map.Entry<String, Long> e : counts.entrySet()) {
                    if (e.getValue() > 1) {
                        RecordMetadata m = where.get(e.getKey());
                        assertThat(m.offset()).as("%s answered twice although committed", e.getKey())
                                .isGreaterThanOrEqualTo(committed.getOrDefault(m.partition(), 0L));
                    }
                }
            }
        }
    }
}
