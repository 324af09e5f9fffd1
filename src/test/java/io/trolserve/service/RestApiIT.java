package io.trolserve.service;

import static io.trolserve.service.ServiceRecords.JSON;
import static io.trolserve.service.ServiceRecords.idsOf;
import static io.trolserve.service.ServiceRecords.png;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.testkit.Mutations;
import io.trolserve.testkit.Trials;

/**
 * The REST API against the packaged service: token streams only for ids this instance knows, one
 * caller per id in flight, and hostile input answered with a JSON 4xx, never a 500. On topics of
 * its own, set by trol.kafka.topics.*: every answer here proves that the REST side and the
 * service both follow the settings (ServiceIT runs on the default topics).
 */
class RestApiIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String REQUESTS = "rest-it.requests";
    private static final String ANSWERS = "rest-it.answers";
    private static final String TOKENS = "rest-it.tokens";

    static ServiceFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServiceFixture.start("rest", work -> new String[] {"-Dtrol.kafka.topics.requests=" + REQUESTS,
                "-Dtrol.kafka.topics.answers=" + ANSWERS, "-Dtrol.kafka.topics.tokens=" + TOKENS});
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * Ready means the REST consumers hold their partitions of the renamed answers and tokens
     * topics: a POST accepted before that could miss its answer.
     */
    @Test
    void readinessWaitsForTheRestConsumersOfTheConfiguredTopics() throws Exception {
        JsonNode ready = fixture.getJson("/q/health/ready");
        JsonNode rest = null;
        for (JsonNode check : ready.path("checks")) {
            rest = check.path("name").asText().equals("trol-rest-consumers") ? check : rest;
        }
        assertThat(rest).as("%s", ready).isNotNull();
        assertThat(rest.path("status").asText()).isEqualTo("UP");
        assertThat(rest.path("data").path("rest-answers").asText()).isEqualTo("ASSIGNED");
        assertThat(rest.path("data").path("rest-tokens").asText()).isEqualTo("ASSIGNED");
    }

    /** A request posted here travels on the renamed topics: the REST side's and the service's clients all moved. */
    @Test
    void requestsAnswersAndTokensTravelOnTheConfiguredTopics() throws Exception {
        HttpResponse<String> answer = post("application/json",
                "{\"id\":\"renamed-1\",\"question\":\"Hi?\",\"params\":{\"maxNewTokens\":3}}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        for (String topic : List.of(REQUESTS, ANSWERS, TOKENS)) {
            List<ConsumerRecord<byte[], byte[]>> read = fixture.kafka.readUntil(topic, Duration.ofSeconds(30),
                    records -> idsOf(records, "renamed-").contains("renamed-1"));
            assertThat(idsOf(read, "renamed-")).as(topic).contains("renamed-1");
        }
    }

    @Test
    void aClientThatPostsThenGetsTheStreamBeforeTheFirstTokenGetsAllOfIt() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = postAsync("{\"id\":\"stream-1\",\"question\":\"Hi?\",\"params\":{\"maxNewTokens\":24}}");
        List<JsonNode> events = events(openStreamOnceKnown("stream-1"));
        JsonNode a = JSON.readTree(answer.get(60, TimeUnit.SECONDS).body());
        assertThat(events).extracting(e -> e.get("index").asInt()).isEqualTo(
                java.util.stream.IntStream.range(0, a.get("usage").get("completionTokens").asInt()).boxed().toList());
        assertThat(events.get(events.size() - 1).get("final").asBoolean()).isTrue();
    }

    @Test
    void unknownIdsAre404AndThousandsOfThemEvictNothing() throws Exception {
        assertThat(post("application/json", "{\"id\":\"kept\",\"question\":\"Hi?\",\"params\":{\"maxNewTokens\":6}}").statusCode())
                .isEqualTo(200);
        List<JsonNode> before = events(openStreamOnceKnown("kept"));
        // more than the 4,096 streams the old buffer tracked: each GET used to create one and push the oldest out
        for (int i = 0; i < 4200; i++) {
            HttpResponse<String> r = get("/v1/answers/made-up-" + i + "/tokens");
            assertJsonError(r, 404, "unknown-id");
        }
        assertThat(events(openStreamOnceKnown("kept"))).isEqualTo(before);
    }

    @Test
    void aSecondPostOfAnIdInFlightIs409AndTheFirstCallerKeepsItsWait() throws Exception {
        CompletableFuture<HttpResponse<String>> first = postAsync(
                "{\"id\":\"twice\",\"question\":\"first\",\"params\":{\"maxNewTokens\":512}}");
        openStreamOnceKnown("twice").close();
        HttpResponse<String> second = post("application/json", "{\"id\":\"twice\",\"question\":\"second\",\"params\":{\"maxNewTokens\":1}}");
        assertJsonError(second, 409, "id-in-flight");

        HttpResponse<String> firstAnswer = first.get(90, TimeUnit.SECONDS);
        assertThat(firstAnswer.statusCode()).as(firstAnswer.body()).isEqualTo(200);
        assertThat(JSON.readTree(firstAnswer.body()).get("id").asText()).isEqualTo("twice");
        assertThat(post("application/json", "{\"id\":\"twice\",\"question\":\"again\",\"params\":{\"maxNewTokens\":1}}")
                .statusCode()).as("answered: the id is free again").isEqualTo(200);

        // one key, one partition, in order: the refused POST never reached the topic
        List<String> questions = new ArrayList<>();
        fixture.kafka.readUntil(REQUESTS, Duration.ofSeconds(30), read -> {
            questions.clear();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                if ("twice".equals(KafkaTestClient.key(r))) {
                    questions.add(questionOf(r.value()));
                }
            }
            return questions.contains("again");
        });
        assertThat(questions).containsExactly("first", "again");
    }

    private static String questionOf(byte[] request) {
        try {
            return JSON.readTree(request).get("question").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void hostileJsonBodiesAreJson400s() throws Exception {
        String huge = "1e2147483648";
        assertJsonError(post("application/json", "{\"question\":\"q\",\"params\":{\"maxNewTokens\":" + huge + "}}"), 400, null);
        assertJsonError(post("application/json", "{\"question\":\"q\",\"params\":{\"temperature\":" + huge + "}}"), 400, null);
        assertJsonError(post("application/json", "{\"version\":" + huge + ",\"question\":\"q\"}"), 400, null);
        assertJsonError(post("application/json", new byte[] {'{', '"', 'q', 'u', 'e', 's', 't', 'i', 'o', 'n', '"', ':',
                '"', (byte) 0xC3, 0x28, '"', '}'}), 400, "not-utf8");
        assertJsonError(post("application/json", "[1]"), 400, "not-an-object");
        assertJsonError(post("application/json", ""), 400, "malformed-json");
        assertJsonError(post("text/plain", "{\"question\":\"q\"}"), 415, "unsupported-media-type");
    }

    @Test
    void hostileMultipartBodiesAreJson400s() throws Exception {
        assertJsonError(post("multipart/form-data; boundary=xx", "garbage without a boundary"), 400, "unreadable-body");
        assertJsonError(post("multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nhi"),
                400, "unreadable-body");
        assertJsonError(form("hi", "abc", null), 400, "wrong-type");
        assertJsonError(form("hi", "1e2147483648", null), 400, "wrong-type");
        assertJsonError(form("hi", "9".repeat(40), null), 400, "invalid-params");
        assertJsonError(form("hi", "2", "not an image at all".getBytes(StandardCharsets.UTF_8)), 400, "unsupported-format");
        assertJsonError(form(null, "2", null), 400, "missing-question");
        // form text is decoded as browsers send it: malformed UTF-8 becomes U+FFFD, and the request is answered
        HttpResponse<String> lenient = post("multipart/form-data; boundary=" + BOUNDARY,
                formBody(new byte[] {'h', 'i', (byte) 0xC3, 0x28}, "1", png(8, 8, 1)));
        assertThat(lenient.statusCode()).as(lenient.body()).isEqualTo(200);
    }

    /** Byte-level mutants of a valid request: each is answered (200), refused with a JSON 4xx, never a 5xx. */
    @Test
    void mutatedRequestsNeverGetA5xx() {
        byte[] valid = "{\"id\":\"fuzz\",\"question\":\"What is this?\",\"params\":{\"maxNewTokens\":2,\"temperature\":0.0}}"
                .getBytes(StandardCharsets.UTF_8);
        Trials.forAll(120, random -> Mutations.mutate(valid, random, 4), body -> {
            HttpResponse<String> r = post("application/json", body);
            if (r.statusCode() != 200) {
                assertJsonError(r, r.statusCode(), null);
                assertThat(r.statusCode()).isIn(400, 409);
            }
        });
    }

    @Test
    void onTheDefaultsTheApiIsOpenAndIgnoresTokens() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(fixture.service.uri("/v1/engine"))
                .header("Authorization", "Bearer not.a.jwt").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(get("/v1/engine").statusCode()).isEqualTo(200);
    }

    // ----------------------------------------------------------------------------------------

    static void assertJsonError(HttpResponse<String> r, int status, String code) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.path("code").asText()).as(r.body()).isNotBlank();
        if (code != null) {
            assertThat(error.path("code").asText()).isEqualTo(code);
        }
        assertThat(r.body()).doesNotContain("\tat ").doesNotContain("Exception:");
    }

    /** GETs the token stream until this instance knows the id (its POST is pending or a token arrived). */
    static InputStream openStreamOnceKnown(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(fixture.service.uri("/v1/answers/" + id + "/tokens"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 200) {
                return r.body();
            }
            r.body().close();
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(System.nanoTime()).as("%s never became known", id).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static List<JsonNode> events(InputStream sse) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        try (sse) {
            for (String line : new String(sse.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("data:")) {
                    events.add(JSON.readTree(line.substring(5)));
                }
            }
        }
        return events;
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(fixture.service.uri(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String contentType, String body) throws IOException, InterruptedException {
        return post(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(String contentType, byte[] body) throws IOException, InterruptedException {
        return HTTP.send(postRequest(contentType, body), HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> postAsync(String json) {
        return HTTP.sendAsync(postRequest("application/json", json.getBytes(StandardCharsets.UTF_8)),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest postRequest(String contentType, byte[] body) {
        return HttpRequest.newBuilder(fixture.service.uri("/v1/answers")).timeout(Duration.ofSeconds(90))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static final String BOUNDARY = "trol-boundary";

    private static HttpResponse<String> form(String question, String maxNewTokens, byte[] image) throws Exception {
        return post("multipart/form-data; boundary=" + BOUNDARY,
                formBody(question == null ? null : question.getBytes(StandardCharsets.UTF_8), maxNewTokens, image));
    }

    private static byte[] formBody(byte[] question, String maxNewTokens, byte[] image) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (question != null) {
            body.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(question);
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"maxNewTokens\"\r\n\r\n" + maxNewTokens + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        if (image != null) {
            body.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(image);
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }
}
