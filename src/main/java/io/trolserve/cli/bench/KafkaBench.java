package io.trolserve.cli.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.trolserve.messaging.KafkaSettings;
import io.trolserve.messaging.contract.ContractJson;

/** The measurements of {@code bench kafka}. */
final class KafkaBench {

    /**
     * The bench's own embedded broker on loopback, always plaintext: these clients deliberately do
     * not take the kafka.* security settings (KafkaClientSettings) that would reach a real cluster.
     */
    private final String bootstrap;
    private final KafkaSettings.ConfiguredTopics topics;
    private final List<Double> transport = Collections.synchronizedList(new ArrayList<>());

    KafkaBench(String bootstrap, KafkaSettings.ConfiguredTopics topics) {
        this.bootstrap = bootstrap;
        this.topics = topics;
    }

    /** Short text-only requests with 8-token answers, as trol.requests records. */
    static List<byte[]> workload(int count, String prefix) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(("{\"id\":\"" + prefix + "-" + i + "\",\"question\":\"Short question number " + i
                    + "?\",\"params\":{\"maxNewTokens\":8}}").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * Produce at the rate, read answers as they come; latency from send to answer received. Also
     * splits it: the answer's own e2eMs is the time inside the service's engine, the rest is Kafka,
     * the consumer and the intake.
     */
    EndToEndLatency throughKafka(List<byte[]> workload, double rate) throws Exception {
        Map<String, Long> sent = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        transport.clear();
        CountDownLatch done = new CountDownLatch(workload.size());
        try (AnswerReader reader = new AnswerReader((id, at, e2eMs) -> {
            Long t = sent.get(id);
            if (t != null && latencies.size() < workload.size()) {
                double ms = (at - t) / 1e6;
                latencies.add(ms);
                transport.add(ms - e2eMs);
                done.countDown();
            }
        }); KafkaProducer<byte[], byte[]> producer = producer()) {
            reader.awaitAssignment();
            long start = System.nanoTime();
            for (int i = 0; i < workload.size(); i++) {
                pace(start, i, rate);
                String id = idOf(workload.get(i));
                sent.put(id, System.nanoTime());
                producer.send(new ProducerRecord<>(topics.requests(), id.getBytes(StandardCharsets.UTF_8),
                        workload.get(i)));
            }
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + latencies.size() + " answers arrived");
            }
            return EndToEndLatency.of(latencies, (System.nanoTime() - start) / 1e9);
        }
    }

    /** One produce-to-consume hop on the same broker at the same rate, with the same client settings. */
    EndToEndLatency plainHop(int count, double rate) throws Exception {
        String topic = "trol.bench.hop";
        Map<String, Long> sent = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(count);
        try (AnswerReader reader = new AnswerReader(topic, (id, at, ignored) -> {
            Long t = sent.get(id);
            if (t != null) {
                latencies.add((at - t) / 1e6);
                done.countDown();
            }
        }); KafkaProducer<byte[], byte[]> producer = producer()) {
            reader.awaitAssignment();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                pace(start, i, rate);
                String id = "hop-" + i;
                sent.put(id, System.nanoTime());
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), new byte[64]));
            }
            done.await(2, TimeUnit.MINUTES);
            return EndToEndLatency.of(latencies, (System.nanoTime() - start) / 1e9);
        }
    }

    /** The part of the last run's latencies spent outside the service's engine. */
    EndToEndLatency transportShare(double seconds) {
        return EndToEndLatency.of(transport, seconds);
    }

    /** Everything at once: how fast the lag drains, and how much memory the service takes meanwhile. */
    String flood(List<byte[]> workload, ServiceChild service, String heap) throws Exception {
        Map<String, Boolean> answered = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(workload.size());
        long peakLag = 0;
        long start;
        try (AnswerReader reader = new AnswerReader((id, at, e2eMs) -> {
            if (id.startsWith("flood-") && answered.putIfAbsent(id, true) == null) {
                done.countDown();
            }
        }); KafkaProducer<byte[], byte[]> producer = producer(); Admin admin = admin()) {
            reader.awaitAssignment();
            start = System.nanoTime();
            for (byte[] request : workload) {
                String id = idOf(request);
                producer.send(new ProducerRecord<>(topics.requests(), id.getBytes(StandardCharsets.UTF_8), request));
            }
            producer.flush();
            double producedIn = (System.nanoTime() - start) / 1e9;
            while (!done.await(1, TimeUnit.SECONDS)) {
                peakLag = Math.max(peakLag, lag(admin));
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(30)) {
                    throw new IllegalStateException("flood not drained: " + answered.size() + " answers");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] rss = service.rssAndPeakKib();
            long lag = lag(admin);
            long drainStart = System.nanoTime();
            while (lag > 0 && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(30)) {
                Thread.sleep(500);   // the last acknowledged offsets are committed at the next commit interval
                lag = lag(admin);
            }
            return String.format("flood: %d requests produced in %.1f s, all %d answered after %.1f s (%.1f req/s); "
                            + "peak lag %d; service heap fixed at %s, RSS now %d MiB, peak %d MiB; lag %d %.1f s later",
                    workload.size(), producedIn, answered.size(), seconds, workload.size() / seconds, peakLag, heap,
                    rss[0] / 1024, rss[1] / 1024, lag, (System.nanoTime() - drainStart) / 1e9);
        }
    }

    /** Records of trol.requests not yet committed by the service's group. */
    private long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets("trol-serve").partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            latest.put(new TopicPartition(topics.requests(), p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            var c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** Waits until request {@code i} is due at {@code rate} per second from {@code start}. */
    static void pace(long start, int i, double rate) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static String idOf(byte[] request) {
        String s = new String(request, StandardCharsets.UTF_8);
        int at = s.indexOf("\"id\":\"") + 6;
        return s.substring(at, s.indexOf('"', at));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** Receives (request id, receive time in nanoseconds, the answer's e2eMs). */
    @FunctionalInterface
    private interface AnswerSink {
        void accept(String id, long atNanos, double e2eMs);
    }

    /** A thread reading trol.answers from the latest offset, reporting each answer to a sink. */
    private final class AnswerReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CountDownLatch assigned = new CountDownLatch(1);

        AnswerReader(AnswerSink onAnswer) {
            this(topics.answers(), onAnswer);
        }

        AnswerReader(String topic, AnswerSink onAnswer) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            consumer.subscribe(List.of(topic));
            boolean answers = topic.equals(topics.answers());
            thread = new Thread(() -> {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long at = System.nanoTime();
                        Double e2e = answers ? ContractJson.readAnswer(r.value()).timings().e2eMs() : null;
                        onAnswer.accept(new String(r.key(), StandardCharsets.UTF_8), at, e2e == null ? 0 : e2e);
                    }
                    if (assigned.getCount() > 0 && !consumer.assignment().isEmpty()) {
                        // "latest" is resolved lazily; fix it before the bench sends, or early answers slip past
                        consumer.assignment().forEach(consumer::position);
                        assigned.countDown();
                    }
                }
                consumer.close();
            }, "bench-answer-reader");
            thread.start();
        }

        void awaitAssignment() throws InterruptedException {
            assigned.await(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
