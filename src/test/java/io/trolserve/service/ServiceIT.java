package io.trolserve.service;

import static io.trolserve.service.ServiceRecords.ANSWERS;
import static io.trolserve.service.ServiceRecords.DLQ;
import static io.trolserve.service.ServiceRecords.JSON;
import static io.trolserve.service.ServiceRecords.REQUESTS;
import static io.trolserve.service.ServiceRecords.TOKENS;
import static io.trolserve.service.ServiceRecords.byId;
import static io.trolserve.service.ServiceRecords.idsOf;
import static io.trolserve.service.ServiceRecords.json;
import static io.trolserve.service.ServiceRecords.lastTokens;
import static io.trolserve.service.ServiceRecords.png;
import static io.trolserve.service.ServiceRecords.pngHeaderClaiming;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
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


import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;


/**
 * End to end against a real broker: the packaged service consumes trol.requests and answers on
 * trol.answers and trol.tokens; bad input lands in the dead-letter topic with its reason while good
 * requests keep flowing.
 */
class ServiceIT {

    static ServiceFixture fixture;
    static KafkaTestClient kafka;
    static ServiceProcess service;
    static Path imageRoot;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServiceFixture.start("service", work -> {
            imageRoot = Files.createDirectories(work.resolve("images"));
            return new String[] {"-Dtrol.messaging.image-file-root=" + imageRoot,
                    "-Dtrol.messaging.image-http-hosts=images.example.org"};
        });
        kafka = fixture.kafka;
        service = fixture.service;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
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
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> posted = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        // the stream is there once this instance knows the id: its POST is pending (404 until then)
        java.net.http.HttpResponse<java.util.stream.Stream<String>> sse;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            sse = http.send(java.net.http.HttpRequest.newBuilder(service.uri("/v1/answers/rest-upload/tokens")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines());
            if (sse.statusCode() != 404 || System.nanoTime() > deadline) {
                break;
            }
            sse.body().close();
            Thread.sleep(20);
        }
        assertThat(sse.statusCode()).isEqualTo(200);
        java.net.http.HttpResponse<String> answer = posted.get(90, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode a = JSON.readTree(answer.body());
        assertThat(a.get("usage").get("imageTokens").asInt()).isEqualTo(16);
        List<JsonNode> events = new ArrayList<>();
        for (String line : (Iterable<String>) sse.body()::iterator) {
            if (line.startsWith("data:")) {
                events.add(JSON.readTree(line.substring(5)));
            }
        }
        assertThat(events).hasSize(a.get("usage").get("completionTokens").asInt());
        assertThat(events.get(events.size() - 1).get("final").asBoolean()).isTrue();
    }

    @Test
    void askPrintsTheAnswerAsItArrivesThenItsTimings() throws Exception {
        Path image = fixture.work.resolve("ask.png");
        Files.write(image, png(30, 30, 4));
        Process ask = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                ServiceProcess.JAR.toString(), "ask", "--bootstrap", fixture.broker.bootstrapServers(), "--image", image.toString(),
                "--max-new-tokens", "5", "--timeout", "PT90S", "What is this?").redirectError(fixture.work.resolve("ask.err").toFile()).start();
        String out = new String(ask.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ask.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(ask.exitValue()).as("stdout:%n%s%nstderr:%n%s", out, Files.readString(fixture.work.resolve("ask.err"))).isZero();
        assertThat(out).contains("prompt +").contains("generated tokens").contains("TTFT");
    }

    private static void addBad(Map<String, byte[]> bad, Map<String, String> expected, String name, byte[] value, String code) {
        bad.put(name, value);
        expected.put(name, code);
    }

    private static byte[] image(String id, String imageJson) {
        return json("{\"id\":\"" + id + "\",\"question\":\"what?\",\"image\":" + imageJson + "}");
    }
}
