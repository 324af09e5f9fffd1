package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.broker.EmbeddedKafkaBroker;

/**
 * What a service test class runs against: a real broker with the service's topics (the default
 * ones, and any its extra properties rename), a micro checkpoint, and the packaged service as a
 * child process; plus the HTTP calls the tests make.
 */
final class ServiceFixture implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Path work;
    final EmbeddedKafkaBroker broker;
    final KafkaTestClient kafka;
    private final Path model;
    private final String[] properties;
    /** The running service; {@link #startAgain} replaces it. */
    ServiceProcess service;
    private int starts = 1;

    private ServiceFixture(Path work, EmbeddedKafkaBroker broker, KafkaTestClient kafka, Path model, String[] properties,
            ServiceProcess service) {
        this.work = work;
        this.broker = broker;
        this.kafka = kafka;
        this.model = model;
        this.properties = properties;
        this.service = service;
    }

    /** @param prepare runs in the work directory before the service starts; returns its extra system properties */
    static ServiceFixture start(String name, Prepare prepare) throws Exception {
        Path work = Files.createTempDirectory("trol-" + name + "-it-");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0);
        broker.createTopics(Map.of(ServiceRecords.REQUESTS, 4, ServiceRecords.ANSWERS, 4, ServiceRecords.TOKENS, 4,
                ServiceRecords.DLQ, 1));
        KafkaTestClient kafka = new KafkaTestClient(broker.bootstrapServers());
        Path model = ServiceProcess.initTiny(work.resolve("micro"));
        String[] properties = prepare.propertiesFor(work);
        broker.createTopics(renamedTopics(properties));
        ServiceProcess service = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("service.log"),
                properties).start();
        return new ServiceFixture(work, broker, kafka, model, properties, service);
    }

    /** The same service as a new process on the same broker, once the last one has stopped; returns when it is ready. */
    void startAgain() throws Exception {
        starts++;
        service = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("service-" + starts + ".log"),
                properties).start();
    }

    /** The topics that {@code -Dtrol.kafka.topics.*=} properties name, with the defaults' partitions. */
    private static Map<String, Integer> renamedTopics(String[] properties) {
        Map<String, Integer> topics = new HashMap<>();
        for (String property : properties) {
            if (property.startsWith("-Dtrol.kafka.topics.")) {
                topics.put(property.substring(property.indexOf('=') + 1), 4);
            }
        }
        return topics;
    }

    static ServiceFixture start(String name) throws Exception {
        return start(name, work -> new String[0]);
    }

    interface Prepare {
        String[] propertiesFor(Path work) throws IOException;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return ServiceRecords.JSON.readTree(r.body());
    }

    /** Polls /v1/stats every 100 ms until it answers 200. @return that answer, or the last one at the deadline */
    HttpResponse<String> awaitStatsAnswer(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> r = get("/v1/stats");
        while (r.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = get("/v1/stats");
        }
        return r;
    }

    /**
     * Polls /v1/stats until it has a window that has ended (the dashboard plots only those); gives
     * up early on an answer that waiting cannot change (404, 400). @return the last answer, for messages
     */
    String awaitCompletedStatsWindow(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get("/v1/stats?window=10s");
            if (r.statusCode() == 200) {
                JsonNode windows = ServiceRecords.JSON.readTree(r.body()).path("windows");
                long ended = 0;
                for (JsonNode w : windows) {
                    ended += Instant.parse(w.get("end").asText()).isBefore(Instant.now()) ? 1 : 0;
                }
                last = "HTTP 200, " + windows.size() + " windows, " + ended + " ended";
                if (ended > 0) {
                    return last;
                }
            } else {
                last = "HTTP " + r.statusCode() + " " + r.body();
                if (r.statusCode() != 503) {
                    return last;
                }
            }
            Thread.sleep(1000);
        }
        return last + " (after waiting " + within.toSeconds() + " s)";
    }

    @Override
    public void close() throws Exception {
        try (EmbeddedKafkaBroker b = broker; KafkaTestClient k = kafka; ServiceProcess s = service) {
            // closed in reverse: the service first, then its client and broker
        }
    }
}
