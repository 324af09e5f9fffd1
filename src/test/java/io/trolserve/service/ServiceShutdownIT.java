package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.trolserve.broker.EmbeddedKafkaBroker;

/**
 * SIGTERM: intake stops, requests that finish within the grace period are answered, the rest are
 * left unanswered and uncommitted and are answered after the restart; nothing is lost, nothing is
 * answered "cancelled", and the process exits 0. Offsets commit as a contiguous prefix per
 * partition, so a request that finished after one that was left behind stays uncommitted too and
 * may be answered again: a request is answered twice only if its offset was not committed.
 */
class ServiceShutdownIT {

    private static final int REQUESTS = 80;

    @Test
    void gracefulShutdownCommitsWhatFinishedAndLeavesTheRestForRedelivery() throws Exception {
        Path work = Files.createTempDirectory("trol-shutdown-it-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0);
             KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers())) {
            broker.createTopics(Map.of(ServiceRecords.REQUESTS, 4, ServiceRecords.ANSWERS, 4, ServiceRecords.TOKENS, 4, ServiceRecords.DLQ, 1));
            Path model = ServiceProcess.initTiny(work.resolve("micro"));
            ServiceProcess first = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("first.log"),
                    "-Dtrol.messaging.shutdown-grace=PT1S", "-Dtrol.engine.max-running=8").start();
            Map<String, org.apache.kafka.clients.producer.RecordMetadata> where = new java.util.HashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                String id = "graceful-" + i;
                where.put(id, kafka.send(ServiceRecords.REQUESTS, id, ServiceRecords.json("{\"id\":\"" + id + "\",\"question\":\"Tell me a long story "
                        + i + ".\",\"params\":{\"maxNewTokens\":" + (i % 2 == 0 ? 1000 : 6) + "}}")));
            }
            kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(2), read -> ServiceRecords.idsOf(read, "graceful-").size() >= 10);
            int exit = first.terminate();
            Map<Integer, Long> committed = kafka.committed("trol-serve", ServiceRecords.REQUESTS);
            Set<String> answeredBefore = ServiceRecords.idsOf(kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofSeconds(5), read -> false),
                    "graceful-");
            assertThat(exit).as("exit code after SIGTERM").isZero();
            assertThat(answeredBefore).as("some requests were still running at SIGTERM").hasSizeLessThan(REQUESTS);

            // the second instance waits 1 ms for REST answers: no round trip through Kafka is that fast
            try (ServiceProcess second = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("second.log"),
                    "-Dtrol.api.answer-timeout=PT0.001S").start()) {
                List<ConsumerRecord<byte[], byte[]>> all = kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(4),
                        read -> ServiceRecords.idsOf(read, "graceful-").size() == REQUESTS);
                assertThat(ServiceRecords.idsOf(all, "graceful-")).hasSize(REQUESTS);
                Map<String, Long> counts = all.stream().map(KafkaTestClient::key).filter(k -> k.startsWith("graceful-"))
                        .collect(Collectors.groupingBy(k -> k, Collectors.counting()));
                counts.forEach((id, n) -> {
                    if (n > 1) {
                        assertThat(where.get(id).offset()).as("%s answered twice although committed", id)
                                .isGreaterThanOrEqualTo(committed.getOrDefault(where.get(id).partition(), 0L));
                    }
                });
                assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).as("finished work was committed")
                        .isPositive();
                List<ConsumerRecord<byte[], byte[]>> answers = all.stream()
                        .filter(r -> KafkaTestClient.key(r).startsWith("graceful-")).toList();
                assertThat(answers).allSatisfy(r -> assertThat(new String(r.value())).doesNotContain("\"cancelled\""));

                restTimeoutIs504AndTheRequestIsStillAnswered(second, kafka);
            }
        }
    }

    private static void restTimeoutIs504AndTheRequestIsStillAnswered(ServiceProcess service, KafkaTestClient kafka) throws Exception {
        java.net.http.HttpResponse<String> late = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers")).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"id\":\"rest-late\",\"question\":\"Why?\",\"params\":{\"maxNewTokens\":3}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(late.statusCode()).as(late.body()).isEqualTo(504);
        assertThat(ServiceRecords.JSON.readTree(late.body()).get("error").get("code").asText()).isEqualTo("timeout");
        assertThat(ServiceRecords.idsOf(kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofSeconds(60),
                read -> ServiceRecords.idsOf(read, "rest-late").size() == 1), "rest-late")).as("answered on trol.answers anyway")
                .containsExactly("rest-late");
    }
}
