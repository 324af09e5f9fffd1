package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.messaging.broker.EmbeddedKafkaBroker;

/**
 * End to end against a real broker: the packaged service consumes trol.requests and answers on
 * trol.answers and trol.tokens; bad input lands in the dead-letter topic with its reason while good
 * requests keep flowing.
 */
class ServiceIT {

    static final String REQUESTS = "trol.requests";
    static final String ANSWERS = "trol.answers";
    static final String TOKENS = "trol.tokens";
    static final String DLQ = "trol.requests.dlq";
    static final ObjectMapper JSON = new ObjectMapper();

    static Path work;
    static EmbeddedKafkaBroker broker;
    static KafkaTestClient kafka;
    static ServiceProcess service;
    static Path imageRoot;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("trol-service-it-");
        broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0);
        broker.createTopics(Map.of(REQUESTS, 4, ANSWERS, 4, TOKENS, 4, DLQ, 1));
        kafka = new KafkaTestClient(broker.bootstrapServers());
        Path model = ServiceProcess.initTiny(work.resolve("micro"));
        imageRoot = Files.createDirectories(work.resolve("images"));
        service = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("service.log"),
                "-Dtrol.messaging.image-file-root=" + imageRoot,
                "-Dtrol.messaging.image-http-hosts=images.example.org").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void twoHundredMixedRequestsGetTwoHundredAnswersWithCompleteOrderedTokens() throws Exception {
        Random random = new Random(1);
        Map<String, Integer> maxTokens = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            String id = "mixed-" + i;
            int max = 2 + random.nextInt(7);
            maxTokens.put(id, max);
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("id", id);
            request.put("question", "What is in picture " + i + "?");
            if (i % 2 == 0) {
                request.put("image", Map.of("data", Base64.getEncoder().encodeToString(png(16 + i % 40, 12 + i % 30, i)),
                        "mediaType", "image/png"));
            }
            request.put("params", Map.of("maxNewTokens", max));
            kafka.send(REQUESTS, id, JSON.writeValueAsBytes(request),
                    new RecordHeader("traceparent", ("00-" + id).getBytes(StandardCharsets.UTF_8)));
        }
        List<ConsumerRecord<byte[], byte[]>> answers = kafka.readUntil(ANSWERS, Duration.ofMinutes(3),
                read -> idsOf(read, "mixed-").size() == 200);
        Map<String, JsonNode> byId = byId(answers, "mixed-");
        assertThat(byId).hasSize(200);

        List<ConsumerRecord<byte[], byte[]>> tokens = kafka.readUntil(TOKENS, Duration.ofMinutes(1),
                read -> lastTokens(read, "mixed-") == 200);
        Map<String, List<JsonNode>> tokensById = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : tokens) {
            String id = KafkaTestClient.key(r);
            if (id.startsWith("mixed-")) {
                tokensById.computeIfAbsent(id, k -> new ArrayList<>()).add(JSON.readTree(r.value()));
                assertThat(KafkaTestClient.header(r, "traceparent")).isEqualTo("00-" + id);
            }
        }
        for (Map.Entry<String, JsonNode> e : byId.entrySet()) {
            JsonNode answer = e.getValue();
            List<JsonNode> stream = tokensById.get(e.getKey());
            assertThat(answer.get("finishReason").asText()).isIn("stop", "length");
            assertThat(stream).as(e.getKey()).hasSize(answer.get("usage").get("completionTokens").asInt());
            for (int i = 0; i < stream.size(); i++) {
                assertThat(stream.get(i).get("index").asInt()).isEqualTo(i);
            }
            assertThat(stream.get(stream.size() - 1).get("final").asBoolean()).isTrue();
            String streamed = stream.stream().map(t -> t.get("text").asText()).collect(Collectors.joining());
            assertThat(answer.get("answer").asText()).as("%s tokens %s", e.getKey(), stream).isEqualTo(streamed.strip());
            assertThat(stream.size()).isLessThanOrEqualTo(maxTokens.get(e.getKey()));
        }
        assertThat(byId.get("mixed-0").get("usage").get("imageTokens").asInt()).isEqualTo(16);
    }

    @Test
    void badInputGoesToTheDeadLetterTopicWithItsReasonWhileGoodRequestsFlow() throws Exception {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        Map<String, String> expected = new LinkedHashMap<>();
        String pngB64 = Base64.getEncoder().encodeToString(png(20, 20, 1));
        addBad(bad, expected, "malformed", "{\"id\": \"bad-malformed\", \"question\": ".getBytes(StandardCharsets.UTF_8), "malformed-json");
        addBad(bad, expected, "wrong-type", json("{\"id\":\"bad-wrong-type\",\"question\":\"q\",\"params\":{\"maxNewTokens\":\"12\"}}"), "wrong-type");
        addBad(bad, expected, "no-question", json("{\"id\":\"bad-no-question\"}"), "missing-question");
        addBad(bad, expected, "empty-question", json("{\"id\":\"bad-empty-question\",\"question\":\"   \"}"), "empty-question");
        addBad(bad, expected, "long-question", json("{\"id\":\"bad-long-question\",\"question\":\"" + "x".repeat(5000) + "\"}"), "question-too-long");
        addBad(bad, expected, "bad-base64", image("bad-bad-base64", "{\"data\":\"@@@not base64@@@\",\"mediaType\":\"image/png\"}"), "invalid-base64");
        addBad(bad, expected, "not-an-image", image("bad-not-an-image", "{\"data\":\"aGVsbG8gd29ybGQ=\",\"mediaType\":\"image/png\"}"), "unsupported-format");
        byte[] full = png(64, 64, 7);
        String truncated = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(full, full.length / 2));
        addBad(bad, expected, "truncated-png", image("bad-truncated-png", "{\"data\":\"" + truncated + "\",\"mediaType\":\"image/png\"}"), "corrupt-image");
        addBad(bad, expected, "png-bomb", image("bad-png-bomb", "{\"data\":\"" + Base64.getEncoder().encodeToString(pngHeaderClaiming(100_000, 100_000))
                + "\",\"mediaType\":\"image/png\"}"), "too-many-pixels");
        addBad(bad, expected, "media-type", image("bad-media-type", "{\"data\":\"" + pngB64 + "\",\"mediaType\":\"image/tiff\"}"), "unsupported-media-type");
        addBad(bad, expected, "ftp", image("bad-ftp", "{\"url\":\"ftp://example.org/a.png\"}"), "unsupported-url-scheme");
        addBad(bad, expected, "jar", image("bad-jar", "{\"url\":\"jar:file:/tmp/a.jar!/a.png\"}"), "unsupported-url-scheme");
        addBad(bad, expected, "http-host", image("bad-http-host", "{\"url\":\"http://evil.example.com/a.png\"}"), "url-not-allowed");
        addBad(bad, expected, "file-outside", image("bad-file-outside", "{\"url\":\"file:///etc/hostname\"}"), "url-not-allowed");
        addBad(bad, expected, "file-dotdot", image("bad-file-dotdot", "{\"url\":\"file://" + imageRoot + "/../../etc/passwd\"}"), "invalid-url");
        addBad(bad, expected, "zero-tokens", json("{\"id\":\"bad-zero-tokens\",\"question\":\"q\",\"params\":{\"maxNewTokens\":0}}"), "invalid-params");
        addBad(bad, expected, "many-tokens", json("{\"id\":\"bad-many-tokens\",\"question\":\"q\",\"params\":{\"maxNewTokens\":99999}}"), "invalid-params");
        addBad(bad, expected, "negative-temperature", json("{\"id\":\"bad-negative-temperature\",\"question\":\"q\",\"params\":{\"temperature\":-1}}"), "invalid-params");
        addBad(bad, expected, "null-value", null, "null-value");
        addBad(bad, expected, "not-utf8", new byte[] {'{', '"', 'i', 'd', '"', ':', (byte) 0xC3, 0x28, '}'}, "not-utf8");

        Files.write(imageRoot.resolve("ok.png"), png(30, 20, 3));
        int good = 0;
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            kafka.send(REQUESTS, "bad-" + e.getKey(), e.getValue());
            kafka.send(REQUESTS, "good-" + good, json("{\"id\":\"good-" + good + "\",\"question\":\"fine?\","
                    + (good % 2 == 0 ? "\"image\":{\"url\":\"" + imageRoot.resolve("ok.png").toUri() + "\"}," : "")
                    + "\"params\":{\"maxNewTokens\":3}}"));
            good++;
        }
        int goods = good;
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readUntil(DLQ, Duration.ofMinutes(2),
                read -> idsOf(read, "bad-").size() == bad.size());
        Map<String, ConsumerRecord<byte[], byte[]>> deadById = new HashMap<>();
        dead.forEach(r -> deadById.put(KafkaTestClient.key(r), r));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = deadById.get("bad-" + e.getKey());
            assertThat(r).as(e.getKey()).isNotNull();
            assertThat(KafkaTestClient.header(r, "trol-error-code")).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(KafkaTestClient.header(r, "trol-error-message")).as(e.getKey()).isNotBlank();
            assertThat(KafkaTestClient.header(r, "trol-source-topic")).isEqualTo(REQUESTS);
            assertThat(KafkaTestClient.header(r, "trol-source-offset")).isNotBlank();
            assertThat(r.value()).as(e.getKey() + " is forwarded unchanged").isEqualTo(bad.get(e.getKey()));
        }
        List<ConsumerRecord<byte[], byte[]>> answers = kafka.readUntil(ANSWERS, Duration.ofMinutes(2),
                read -> idsOf(read, "good-").size() == goods);
        assertThat(idsOf(answers, "good-")).hasSize(goods);
        assertThat(byId(answers, "good-").values()).allSatisfy(a -> assertThat(a.get("finishReason").asText()).isIn("stop", "length"));
    }

    @Test
    void restPostsThroughKafkaAndWaitsForTheAnswer() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> ok = http.send(java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"rest-1\",\"question\":\"Hello?\",\"params\":{\"maxNewTokens\":4}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("id").asText()).isEqualTo("rest-1");

        java.net.http.HttpResponse<String> noId = http.send(java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"question\":\"Who?\"," 
                        + "\"params\":{\"maxNewTokens\":2}}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(noId.statusCode()).as(noId.body()).isEqualTo(200);
        assertThat(JSON.readTree(noId.body()).get("id").asText()).isNotBlank();

        java.net.http.HttpResponse<String> bad = http.send(java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"id\":\"rest-bad\",\"question\":\"\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").get("code").asText()).isEqualTo("empty-question");
    }

    @Test
    void restUploadAndTokenStream() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String boundary = "trol-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nWhat is this?\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nrest-upload\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"maxNewTokens\"\r\n\r\n6\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(png(25, 25, 9));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<java.util.stream.Stream<String>>> sse = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers/rest-upload/tokens")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode a = JSON.readTree(answer.body());
        assertThat(a.get("usage").get("imageTokens").asInt()).isEqualTo(16);
        List<JsonNode> events = new ArrayList<>();
        for (String line : (Iterable<String>) sse.get(30, java.util.concurrent.TimeUnit.SECONDS).body()::iterator) {
            if (line.startsWith("data:")) {
                events.add(JSON.readTree(line.substring(5)));
            }
        }
        assertThat(events).hasSize(a.get("usage").get("completionTokens").asInt());
        assertThat(events.get(events.size() - 1).get("final").asBoolean()).isTrue();
    }

    @Test
    void askPrintsTheAnswerAsItArrivesThenItsTimings() throws Exception {
        Path image = work.resolve("ask.png");
        Files.write(image, png(30, 30, 4));
        Process ask = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                ServiceProcess.JAR.toString(), "ask", "--bootstrap", broker.bootstrapServers(), "--image", image.toString(),
                "--max-new-tokens", "5", "--timeout", "PT90S", "What is this?").redirectError(work.resolve("ask.err").toFile()).start();
        String out = new String(ask.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ask.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(ask.exitValue()).as("stdout:%n%s%nstderr:%n%s", out, Files.readString(work.resolve("ask.err"))).isZero();
        assertThat(out).contains("prompt +").contains("generated tokens").contains("TTFT");
    }

    @Test
    void metricsEndpointExposesEveryServingMetricWithSaneValuesAfterTraffic() throws Exception {
        // deltas from a first scrape: the other tests' traffic may come before this one
        java.net.URI metrics = service.uri("/q/metrics");
        io.trolserve.metrics.PrometheusText before = io.trolserve.metrics.PrometheusText.scrape(metrics);
        int requests = 6;
        for (int i = 0; i < requests; i++) {
            String id = "metrics-" + i;
            String image = i % 2 == 0 ? "\"image\":{\"data\":\"" + Base64.getEncoder().encodeToString(png(24, 20, 100 + i))
                    + "\",\"mediaType\":\"image/png\"}," : "";
            kafka.send(REQUESTS, id, json("{\"id\":\"" + id + "\",\"question\":\"Metrics question " + i + "?\"," + image
                    + "\"params\":{\"maxNewTokens\":5}}"));
        }
        kafka.send(REQUESTS, "metrics-bad", json("{\"id\": \"metrics-bad\", \"question\": "));
        Map<String, JsonNode> answers = byId(kafka.readUntil(ANSWERS, Duration.ofMinutes(2),
                read -> idsOf(read, "metrics-").size() == requests + 1), "metrics-");
        answers.remove("metrics-bad"); // its error answer comes from intake, not from the engine
        assertThat(answers).hasSize(requests);
        assertThat(kafka.readUntil(DLQ, Duration.ofMinutes(1), read -> idsOf(read, "metrics-bad").size() == 1)).isNotEmpty();
        String model = answers.get("metrics-0").get("model").asText();
        String[] m = {"model", model};
        int completion = answers.values().stream().mapToInt(a -> a.get("usage").get("completionTokens").asInt()).sum();

        // the DLQ counter moves once the dead letter is acknowledged and the gauges once the engine
        // has stepped past the last request: poll until both are there
        io.trolserve.metrics.PrometheusText after = before;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            after = io.trolserve.metrics.PrometheusText.scrape(metrics);
            if (after.sum("trol_dlq_records_total", "model", model, "error_code", "malformed-json")
                    > before.sum("trol_dlq_records_total", "model", model, "error_code", "malformed-json")
                    && after.value("trol_num_requests_running", m) == 0 && after.value("trol_num_requests_waiting", m) == 0) {
                break;
            }
            Thread.sleep(200);
        }
        io.trolserve.metrics.PrometheusText t = after;
        java.util.function.BiFunction<String, String[], Double> delta = (name, labels) -> t.sum(name, labels)
                - before.sum(name, labels);

        for (String h : List.of("trol_time_to_first_token_seconds", "trol_inter_token_latency_seconds",
                "trol_e2e_request_latency_seconds", "trol_request_queue_time_seconds", "trol_request_vision_time_seconds",
                "trol_request_prefill_time_seconds")) {
            assertThat(t.type(h)).as(h).isEqualTo("histogram");
            List<io.trolserve.metrics.PrometheusText.Sample> buckets = t.samples(h + "_bucket", m);
            assertThat(buckets).as(h).hasSizeGreaterThan(10);
            double previous = 0;
            for (io.trolserve.metrics.PrometheusText.Sample b : buckets) {
                assertThat(b.value()).as("%s cumulative at le=%s", h, b.labels().get("le")).isGreaterThanOrEqualTo(previous);
                previous = b.value();
            }
            assertThat(t.value(h + "_bucket", "model", model, "le", "+Inf")).as(h).isEqualTo(t.value(h + "_count", m));
            assertThat(t.value(h + "_sum", m)).as(h).isGreaterThanOrEqualTo(0);
        }
        // one e2e, queue and finish-reason sample per request the engine answered; one TTFT per request
        // with a token; one inter-token sample per further token; vision for the three with an image
        double finished = delta.apply("trol_e2e_request_latency_seconds_count", m);
        assertThat(finished).isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_request_queue_time_seconds_count", m)).isEqualTo(finished);
        assertThat(delta.apply("trol_request_prefill_time_seconds_count", m)).isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_requests_finished_total", m)).isEqualTo(finished);
        assertThat(delta.apply("trol_requests_finished_total", new String[] {"model", model, "finish_reason", "stop"})
                + delta.apply("trol_requests_finished_total", new String[] {"model", model, "finish_reason", "length"}))
                .isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_time_to_first_token_seconds_count", m)).isGreaterThanOrEqualTo(requests);
        assertThat(delta.apply("trol_inter_token_latency_seconds_count", m)).isGreaterThanOrEqualTo(completion - requests);
        assertThat(delta.apply("trol_request_vision_time_seconds_count", m)).isGreaterThanOrEqualTo(requests / 2);
        assertThat(t.value("trol_time_to_first_token_seconds_sum", m)).isGreaterThan(0);

        assertThat(delta.apply("trol_generation_tokens_total", m)).isGreaterThanOrEqualTo(completion);
        double prompt = delta.apply("trol_prompt_tokens_total", m);
        assertThat(prompt).isGreaterThan(0);
        // every prefilled prompt token is traversed by every decoder layer a second time
        assertThat(delta.apply("trol_traversal_passes_total", m)).isGreaterThanOrEqualTo(prompt);
        assertThat(t.value("trol_preemptions_total", m)).isGreaterThanOrEqualTo(0);
        assertThat(delta.apply("trol_dlq_records_total", new String[] {"model", model, "error_code", "malformed-json"}))
                .isGreaterThanOrEqualTo(1);
        for (String c : List.of("trol_prompt_tokens_total", "trol_generation_tokens_total", "trol_traversal_passes_total",
                "trol_preemptions_total", "trol_requests_finished_total", "trol_dlq_records_total")) {
            assertThat(t.type(c)).as(c).isEqualTo("counter");
        }

        // idle now: nothing runs, no block is held, and the pool adds up
        assertThat(t.value("trol_num_requests_running", m)).isZero();
        assertThat(t.value("trol_num_requests_waiting", m)).isZero();
        assertThat(t.value("trol_batch_size", m)).isZero();
        double total = t.value("trol_kv_blocks_total", m);
        assertThat(total).isGreaterThan(0);
        assertThat(t.value("trol_kv_blocks_used", m)).isZero();
        assertThat(t.value("trol_kv_blocks_used", m) + t.value("trol_kv_blocks_free", m)).isEqualTo(total);
        assertThat(t.value("trol_vision_cache_bytes", m)).isGreaterThan(0);
        for (String g : List.of("trol_num_requests_running", "trol_num_requests_waiting", "trol_batch_size",
                "trol_kv_blocks_used", "trol_kv_blocks_free", "trol_vision_cache_bytes")) {
            assertThat(t.type(g)).as(g).isEqualTo("gauge");
        }
    }

    private static void addBad(Map<String, byte[]> bad, Map<String, String> expected, String name, byte[] value, String code) {
        bad.put(name, value);
        expected.put(name, code);
    }

    private static byte[] image(String id, String imageJson) {
        return json("{\"id\":\"" + id + "\",\"question\":\"what?\",\"image\":" + imageJson + "}");
    }

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static java.util.Set<String> idsOf(List<ConsumerRecord<byte[], byte[]>> records, String prefix) {
        return records.stream().map(KafkaTestClient::key).filter(k -> k != null && k.startsWith(prefix))
                .collect(Collectors.toSet());
    }

    static Map<String, JsonNode> byId(List<ConsumerRecord<byte[], byte[]>> records, String prefix) throws IOException {
        Map<String, JsonNode> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String id = KafkaTestClient.key(r);
            if (id != null && id.startsWith(prefix)) {
                out.put(id, JSON.readTree(r.value()));
            }
        }
        return out;
    }

    static long lastTokens(List<ConsumerRecord<byte[], byte[]>> records, String prefix) {
        return records.stream().filter(r -> KafkaTestClient.key(r).startsWith(prefix))
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"final\":true")).count();
    }

    static byte[] png(int width, int height, long seed) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A PNG signature and an IHDR that claims a huge image, and nothing else. */
    static byte[] pngHeaderClaiming(int width, int height) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        b.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }
}
