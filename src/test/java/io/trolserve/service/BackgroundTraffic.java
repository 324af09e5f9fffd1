package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Requests that keep arriving on trol.requests while a test looks at the service: about five a
 * second, of varying length, every third with one of four small images (so the vision cache hits).
 */
final class BackgroundTraffic implements AutoCloseable {

    private final KafkaTestClient kafka;
    private final String prefix;
    private final ScheduledExecutorService sender;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private BackgroundTraffic(KafkaTestClient kafka, String prefix) {
        this.kafka = kafka;
        this.prefix = prefix;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, prefix + "traffic");
            t.setDaemon(true);
            return t;
        });
    }

    static BackgroundTraffic start(KafkaTestClient kafka, String prefix) {
        BackgroundTraffic traffic = new BackgroundTraffic(kafka, prefix);
        traffic.sender.scheduleWithFixedDelay(traffic::sendOne, 0, 200, TimeUnit.MILLISECONDS);
        return traffic;
    }

    private void sendOne() {
        try {
            int n = sent.getAndIncrement();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("id", prefix + n);
            request.put("question", "What is happening in scene " + n + "?");
            if (n % 3 == 0) {
                request.put("image", Map.of("data", Base64.getEncoder().encodeToString(ServiceRecords.png(24, 24, n % 4)),
                        "mediaType", "image/png"));
            }
            request.put("params", Map.of("maxNewTokens", 4 + n % 21));
            kafka.send(ServiceRecords.REQUESTS, prefix + n, ServiceRecords.JSON.writeValueAsBytes(request));
        } catch (Exception | Error e) {
            // a scheduled task that throws is silently never run again; keep the first cause for the assertions
            failure.compareAndSet(null, e);
            throw new IllegalStateException(e);
        }
    }

    /** Waits until some of the traffic has been answered, i.e. has gone through the engine. */
    void awaitAnswers(int count) {
        List<?> answered = kafka.readUntil(ServiceRecords.ANSWERS, Duration.ofMinutes(2), read -> read.stream()
                .filter(r -> String.valueOf(KafkaTestClient.key(r)).startsWith(prefix)).count() >= count);
        assertThat(answered.size()).as("answers to the traffic (%s)", this).isGreaterThanOrEqualTo(count);
    }

    @Override
    public String toString() {
        return sent.get() + " sent, failure " + failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        sender.shutdownNow();
        sender.awaitTermination(10, TimeUnit.SECONDS);
    }
}
