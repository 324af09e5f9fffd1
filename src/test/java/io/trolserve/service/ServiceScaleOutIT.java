package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.broker.EmbeddedKafkaBroker;

/**
 * Scale-out: two instances in the consumer group trol-serve share the partitions of
 * trol.requests; one is stopped with SIGTERM while requests keep arriving, the other takes over
 * its partitions, and every request is answered by id. A request may be answered twice (the
 * stopped instance's unfinished work is redelivered), never under another id and never lost.
 * Each instance names itself in the answers' "model" field (trol.messaging.model-name).
 */
class ServiceScaleOutIT {

    private static final String GROUP = "trol-serve";
    private static final int PARTITIONS = 6;
    /** Answers each instance must have given before one is stopped: both are really working. */
    private static final int BEFORE_STOP = 10;
    /** Requests still sent after the stopped instance has exited, for the survivor alone. */
    private static final int AFTER_STOP = 40;
    private static final int MAX_REQUESTS = 750;

    @Test
    void twoInstancesShareThePartitionsAndTheSurvivorAnswersEverythingWhenOneStops() throws Exception {
        Path work = Files.createTempDirectory("trol-scale-out-it-");
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0);
             KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
             Admin admin = Admin.create(adminProperties(broker.bootstrapServers()))) {
            broker.createTopics(Map.of(ServiceRecords.REQUESTS, PARTITIONS, ServiceRecords.ANSWERS, PARTITIONS,
                    ServiceRecords.TOKENS, PARTITIONS, ServiceRecords.DLQ, 1));
            Path model = ServiceProcess.initTiny(work.resolve("micro"));
            // the analytics runs too: its tasks are shared like the partitions, and /v1/stats must
            // find a model's windows on whichever instance holds them
            try (ServiceProcess a = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("a.log"),
                    "-Dtrol.messaging.model-name=instance-a");
                 ServiceProcess b = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("b.log"),
                         "-Dtrol.messaging.model-name=instance-b")) {
                // both at once: each loads its model while the other does
                Future<ServiceProcess> startA = threads.submit(a::start);
                Future<ServiceProcess> startB = threads.submit(b::start);
                startA.get(3, TimeUnit.MINUTES);
                startB.get(3, TimeUnit.MINUTES);

                Map<String, Set<Integer>> assignment = awaitTwoMembersSharing(admin);
                assertThat(assignment.values()).as("each member reads some partitions").allSatisfy(p -> assertThat(p).isNotEmpty());
                assertThat(assignment.values().stream().flatMap(Set::stream).sorted().toList())
                        .as("together every partition, each once").hasSize(PARTITIONS).doesNotHaveDuplicates();

                Producer producer = new Producer(kafka);
                Future<?> producing = threads.submit(producer);
                List<ConsumerRecord<byte[], byte[]>> early = kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(2),
                        read -> answersBy(read, "instance-a") >= BEFORE_STOP && answersBy(read, "instance-b") >= BEFORE_STOP);
                assertThat(answersBy(early, "instance-b")).as("instance-b answered before the stop").isGreaterThanOrEqualTo(BEFORE_STOP);
                assertThat(answersBy(early, "instance-a")).as("instance-a answered before the stop").isGreaterThanOrEqualTo(BEFORE_STOP);

                for (String name : List.of("instance-a", "instance-b")) {
                    // one of the two holds this model's windows; the other must forward the query there
                    assertThat(statsWindows(a, name)).as("%s's windows asked of instance-a", name).isPositive();
                    assertThat(statsWindows(b, name)).as("%s's windows asked of instance-b", name).isPositive();
                }

                int sentAtStop = producer.sent();
                long stopping = System.nanoTime();
                int exit = b.terminate();
                double stopSeconds = (System.nanoTime() - stopping) / 1e9;
                int sentWhenStopped = producer.sent();
                producer.stopAfter(sentWhenStopped + AFTER_STOP);
                producing.get(2, TimeUnit.MINUTES);
                assertThat(exit).as("exit code after SIGTERM").isZero();
                assertThat(sentWhenStopped).as("requests kept arriving while instance-b shut down").isGreaterThan(sentAtStop);

                Map<String, RecordMetadata> sent = producer.where();
                List<ConsumerRecord<byte[], byte[]>> all = kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(3),
                        read -> ServiceRecords.idsOf(read, "scale-").size() == sent.size());
                List<Answer> answers = all.stream().map(Answer::of).filter(x -> x.key().startsWith("scale-")).toList();

                assertThat(answers).as("an answer carries its request's id").allSatisfy(x -> assertThat(x.id()).isEqualTo(x.key()));
                assertThat(answers).allSatisfy(x -> assertThat(x.finishReason()).isIn("stop", "length"));
                assertThat(answers.stream().map(Answer::id).collect(Collectors.toSet()))
                        .as("every request answered, none lost, none invented").isEqualTo(sent.keySet());

                // instance-b's partitions, from what it answered; after it left, instance-a answered on them
                Set<Integer> partitionsOfB = answers.stream().filter(x -> x.by().equals("instance-b"))
                        .map(x -> sent.get(x.id()).partition()).collect(Collectors.toSet());
                Set<String> sentAfterStop = producer.sentFrom(sentWhenStopped);
                Set<Integer> takenOver = new HashSet<>();
                for (Answer x : answers) {
                    int partition = sent.get(x.id()).partition();
                    if (sentAfterStop.contains(x.id()) && partitionsOfB.contains(partition)) {
                        assertThat(x.by()).as(x.id() + " sent after instance-b exited").isEqualTo("instance-a");
                        takenOver.add(partition);
                    }
                }
                assertThat(takenOver).as("instance-a took over instance-b's partitions " + partitionsOfB).isNotEmpty();

                long duplicates = answers.size() - sent.size();
                System.out.printf("scale-out: %d requests, %d answered by instance-a, %d by instance-b, %d duplicates; "
                                + "instance-b held partitions %s and stopped (exit %d) in %.1f s while requests kept coming%n",
                        sent.size(), answersBy(all, "instance-a"), answersBy(all, "instance-b"), duplicates,
                        partitionsOfB, exit, stopSeconds);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** How many 10 s windows {@code /v1/stats} lists for the model, once it answers with some (60 s at most). */
    private static int statsWindows(ServiceProcess instance, String model) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                    instance.uri("/v1/stats?window=10s&model=" + model)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                JsonNode page = ServiceRecords.JSON.readTree(r.body());
                assertThat(page.get("model").asText()).isEqualTo(model);
                if (page.get("windows").size() > 0) {
                    return page.get("windows").size();
                }
            } else {
                assertThat(r.statusCode()).as(last).isEqualTo(503);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no stats windows for " + model + " within 60 s; last answer: " + last);
    }

    /** The group's members and their partitions of trol.requests, once two members share them all. */
    private static Map<String, Set<Integer>> awaitTwoMembersSharing(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Set<Integer>> byMember = new HashMap<>();
        while (System.nanoTime() < deadline) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
            byMember.clear();
            for (MemberDescription m : group.members()) {
                Set<Integer> partitions = new HashSet<>();
                m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(ServiceRecords.REQUESTS))
                        .forEach(tp -> partitions.add(tp.partition()));
                byMember.put(m.consumerId(), partitions);
            }
            int assigned = byMember.values().stream().mapToInt(Set::size).sum();
            if (byMember.size() == 2 && assigned == PARTITIONS && byMember.values().stream().noneMatch(Set::isEmpty)) {
                return byMember;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the two instances never shared the partitions of " + ServiceRecords.REQUESTS + ": " + byMember);
    }

    private static long answersBy(List<ConsumerRecord<byte[], byte[]>> records, String instance) {
        return records.stream().map(Answer::of).filter(x -> x.key().startsWith("scale-") && x.by().equals(instance)).count();
    }

    private static Properties adminProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    /** One answer record: its key, the id and instance it names, how it finished. */
    private record Answer(String key, String id, String by, String finishReason) {
        static Answer of(ConsumerRecord<byte[], byte[]> r) {
            try {
                JsonNode json = ServiceRecords.JSON.readTree(r.value());
                return new Answer(String.valueOf(KafkaTestClient.key(r)), json.path("id").asText(),
                        json.path("model").asText(), json.path("finishReason").asText());
            } catch (java.io.IOException e) {
                throw new AssertionError("an answer that is not JSON", e);
            }
        }
    }

    /** Sends short requests one after another, acknowledged by the broker, until told where to stop. */
    private static final class Producer implements Runnable {
        private final KafkaTestClient kafka;
        private final Map<String, RecordMetadata> where = new ConcurrentHashMap<>();
        private final List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile int last = MAX_REQUESTS;
        private final AtomicBoolean failed = new AtomicBoolean();

        Producer(KafkaTestClient kafka) {
            this.kafka = kafka;
        }

        @Override
        public void run() {
            try {
                for (int i = 0; i < last; i++) {
                    String id = "scale-" + i;
                    where.put(id, kafka.send(ServiceRecords.REQUESTS, id, ServiceRecords.json("{\"id\":\"" + id
                            + "\",\"question\":\"Question " + i + "?\",\"params\":{\"maxNewTokens\":8}}")));
                    order.add(id);
                    Thread.sleep(40);   // a steady stream rather than one burst
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failed.set(true);
                throw e;
            }
        }

        int sent() {
            return order.size();
        }

        void stopAfter(int count) {
            last = Math.min(count, MAX_REQUESTS);
        }

        Set<String> sentFrom(int index) {
            synchronized (order) {
                return new HashSet<>(order.subList(Math.min(index, order.size()), order.size()));
            }
        }

        Map<String, RecordMetadata> where() {
            assertThat(failed).as("every request was accepted by the broker").isFalse();
            return where;
        }
    }
}
