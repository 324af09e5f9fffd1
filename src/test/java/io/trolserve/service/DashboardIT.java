package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.messaging.broker.EmbeddedKafkaBroker;

/**
 * The live dashboard in a real browser: the packaged service runs against a real broker while
 * requests keep arriving on trol.requests, headless Chromium loads {@code /}, and every plot must
 * hold data points. The page, its DOM and a screenshot are kept in {@code target/dashboard-it/}.
 *
 * <p>Chromium runs with a virtual-time budget: the page's timers run on a virtual clock that stands
 * still while a fetch is pending, so its once-a-second polling of {@code /v1/engine} runs once per
 * virtual second against the live service however slow this machine is, and {@code --dump-dom}
 * then prints the page as it stands, {@code data-points} attributes included.
 */
class DashboardIT {

    static final String REQUESTS = "trol.requests";
    static final String ANSWERS = "trol.answers";
    static final Path ARTIFACTS = Path.of("target", "dashboard-it");
    static final int VIRTUAL_SECONDS = 15;
    static final List<String> ENGINE_CHARTS = List.of("chart-batch", "chart-kv");
    static final List<String> STATS_CHARTS = List.of("chart-ttft", "chart-itl", "chart-tps");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HeadlessChromium chromium;
    static Path work;
    static EmbeddedKafkaBroker broker;
    static KafkaTestClient kafka;
    static ServiceProcess service;
    static ScheduledExecutorService traffic;
    static final AtomicInteger sent = new AtomicInteger();
    static final AtomicReference<Throwable> trafficFailure = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("trol-dashboard-it-");
        chromium = HeadlessChromium.locate(work);   // before anything slow: no browser, no test
        broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), "127.0.0.1", 0);
        broker.createTopics(Map.of(REQUESTS, 4, ANSWERS, 4, "trol.tokens", 4, "trol.requests.dlq", 1));
        kafka = new KafkaTestClient(broker.bootstrapServers());
        Path model = ServiceProcess.initTiny(work.resolve("micro"));
        service = new ServiceProcess(model, broker.bootstrapServers(), work.resolve("service.log")).start();
        traffic = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-it-traffic");
            t.setDaemon(true);
            return t;
        });
        // about 5 requests a second, a few hundred tokens a second: enough to keep a micro model busy
        traffic.scheduleWithFixedDelay(DashboardIT::sendOne, 0, 200, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (traffic != null) {
            traffic.shutdownNow();
            traffic.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (work != null && Files.exists(work.resolve("service.log"))) {
            Files.createDirectories(ARTIFACTS);
            Files.copy(work.resolve("service.log"), ARTIFACTS.resolve("service.log"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One request with a varying length, every third with one of four small images (so the vision cache hits). */
    static void sendOne() {
        try {
            int n = sent.getAndIncrement();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("id", "dash-" + n);
            request.put("question", "What is happening in scene " + n + "?");
            if (n % 3 == 0) {
                request.put("image", Map.of("data", Base64.getEncoder().encodeToString(png(n % 4)), "mediaType", "image/png"));
            }
            request.put("params", Map.of("maxNewTokens", 4 + n % 21));
            kafka.send(REQUESTS, "dash-" + n, JSON.writeValueAsBytes(request));
        } catch (Exception | Error e) {
            // a scheduled task that throws is silently never run again; keep the first cause for the assertions
            trafficFailure.compareAndSet(null, e);
            throw new IllegalStateException(e);
        }
    }

    @Test
    void engineSnapshotIsLiveAndItsBlockCountsAddUp() throws Exception {
        awaitAnswers(3);
        JsonNode first = getJson("/v1/engine");
        assertThat(first.get("model").asText()).isEqualTo("micro");
        assertThat(first.get("state").asText()).isEqualTo("READY");
        int total = first.get("kvBlocksTotal").asInt();
        assertThat(total).isPositive();
        assertThat(first.get("kvBlocksUsed").asInt() + first.get("kvBlocksFree").asInt()).isEqualTo(total);
        assertThat(first.get("kvBlocksCached").asInt()).isBetween(0, total);
        // sequences in the last step; requests that finished in it have already left "running"
        assertThat(first.get("batchSize").asInt()).isNotNegative();
        assertThat(Duration.between(Instant.parse(first.get("at").asText()), Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
        assertThat(first.get("promptTokens").asLong()).isPositive();
        assertThat(first.get("traversalPasses").asLong()).isPositive();

        // counters move while the traffic runs: the snapshot is refreshed, not a value from start-up
        JsonNode later = first;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (later.get("generatedTokens").asLong() <= first.get("generatedTokens").asLong() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            later = getJson("/v1/engine");
        }
        assertThat(later.get("generatedTokens").asLong()).as("%s", trafficFailure.get())
                .isGreaterThan(first.get("generatedTokens").asLong());
        assertThat(later.get("steps").asLong()).isGreaterThan(first.get("steps").asLong());
    }

    @Test
    void dashboardIsServedAtTheRootAndNeedsNoOtherHost() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("src=\"dashboard.js\"", "href=\"dashboard.css\"");
        // it must work offline: nothing may be fetched from another host (absolute or scheme-relative)
        Pattern elsewhere = Pattern.compile("https?://|(src|href)\\s*=\\s*[\"']//|url\\(\\s*[\"']?//|@import");
        for (String path : List.of("/", "/dashboard.js", "/dashboard.css")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(elsewhere.matcher(r.body()).find()).as("%s refers to another host", path).isFalse();
        }
        assertThat(get("/dashboard.js").headers().firstValue("Content-Type").orElse("")).contains("javascript");
    }

    @Test
    void browserPlotsTheEngineAndTheStatsWhileTrafficFlows() throws Exception {
        awaitAnswers(3);
        String statsBefore = awaitCompletedStatsWindow(Duration.ofSeconds(60));

        Files.createDirectories(ARTIFACTS);
        String dom = chromium.dumpDom(service.uri("/"), VIRTUAL_SECONDS);
        Files.writeString(ARTIFACTS.resolve("dashboard.html"), dom);
        Path png = ARTIFACTS.resolve("dashboard.png");
        Files.deleteIfExists(png);
        chromium.screenshot(service.uri("/"), VIRTUAL_SECONDS, png);
        assertThat(png).exists();
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1400);

        Map<String, Integer> points = dataPoints(dom);
        assertThat(points.keySet()).containsExactlyInAnyOrder("chart-ttft", "chart-itl", "chart-tps", "chart-batch",
                "chart-kv");
        SoftAssertions soft = new SoftAssertions();
        for (String chart : ENGINE_CHARTS) {
            soft.assertThat(points.get(chart)).as("%s: engine samples plotted; page said '%s'; traffic: %s sent, failure %s",
                    chart, badge(dom, "engine-status"), sent.get(), trafficFailure.get()).isGreaterThanOrEqualTo(2);
        }
        for (String chart : STATS_CHARTS) {
            soft.assertThat(points.get(chart)).as("%s: stats windows plotted; page said '%s'; /v1/stats before the browser: %s",
                    chart, badge(dom, "stats-status"), statsBefore).isGreaterThanOrEqualTo(1);
        }
        soft.assertAll();
    }

    @Test
    void trafficBecomesLatencyStatsOnTheTopicAndAtV1Stats() throws Exception {
        awaitAnswers(10);
        assertThat(awaitCompletedStatsWindow(Duration.ofSeconds(60))).startsWith("HTTP 200");
        for (String window : List.of("10s", "1m")) {
            JsonNode page = getJson("/v1/stats?window=" + window + "&minutes=10");
            assertThat(page.get("model").asText()).isEqualTo("micro");
            assertThat(page.get("windows").size()).as(window).isPositive();
            long requests = 0;
            Instant previousStart = Instant.MIN;
            for (JsonNode w : page.get("windows")) {
                Instant start = Instant.parse(w.get("start").asText());
                assertThat(start).as("oldest first").isAfter(previousStart);
                previousStart = start;
                assertThat(w.get("window").asText()).isEqualTo(window);
                requests += w.get("requests").asLong();
                assertThat(w.get("outputTokens").asLong()).isGreaterThanOrEqualTo(w.get("requests").asLong());
                for (String latency : List.of("ttftMs", "itlMs")) {
                    JsonNode p = w.get(latency);
                    if (p != null) {
                        assertThat(p.get("p50").asDouble()).as(latency).isPositive()
                                .isLessThanOrEqualTo(p.get("p90").asDouble());
                        assertThat(p.get("p90").asDouble()).isLessThanOrEqualTo(p.get("p99").asDouble());
                        assertThat(p.get("p99").asDouble()).isLessThanOrEqualTo(p.get("max").asDouble());
                    }
                }
            }
            assertThat(requests).as("requests counted in the %s windows", window).isPositive();
        }
        assertThat(get("/v1/stats?window=7s").statusCode()).isEqualTo(400);
        assertThat(get("/v1/stats?minutes=0").statusCode()).isEqualTo(400);

        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> stats = kafka.readUntil("trol.latency-stats",
                Duration.ofSeconds(30), read -> read.size() >= 2);
        assertThat(stats).isNotEmpty();
        JsonNode record = JSON.readTree(stats.get(stats.size() - 1).value());
        assertThat(KafkaTestClient.key(stats.get(0))).isEqualTo("micro");
        assertThat(record.get("model").asText()).isEqualTo("micro");
        assertThat(record.get("outputTokens").asLong()).isPositive();

        JsonNode api = getJson("/q/openapi?format=json");
        assertThat(api.get("paths").fieldNames()).toIterable().contains("/v1/answers", "/v1/answers/{id}/tokens",
                "/v1/stats", "/v1/engine");
    }

    /** Waits until some of the traffic has been answered, i.e. has gone through the engine. */
    static void awaitAnswers(int count) {
        List<?> answered = kafka.readUntil(ANSWERS, Duration.ofMinutes(2), read -> read.stream()
                .filter(r -> String.valueOf(KafkaTestClient.key(r)).startsWith("dash-")).count() >= count);
        assertThat(answered.size()).as("answers to the traffic (%s sent, failure %s)", sent.get(), trafficFailure.get())
                .isGreaterThanOrEqualTo(count);
    }

    /**
     * Polls /v1/stats until it has a window that has ended, as the page plots only those; gives up
     * early on an answer that waiting cannot change (404, 400). @return the last answer, for messages
     */
    static String awaitCompletedStatsWindow(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get("/v1/stats?window=10s");
            if (r.statusCode() == 200) {
                JsonNode windows = JSON.readTree(r.body()).path("windows");
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

    /** Canvas id to its data-points attribute, for every canvas in the page. */
    static Map<String, Integer> dataPoints(String dom) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher canvas = Pattern.compile("<canvas\\b[^>]*>").matcher(dom);
        while (canvas.find()) {
            String tag = canvas.group();
            Matcher id = Pattern.compile("\\bid=\"([^\"]+)\"").matcher(tag);
            Matcher points = Pattern.compile("\\bdata-points=\"(\\d+)\"").matcher(tag);
            assertThat(id.find() && points.find()).as("a canvas without id or data-points: %s", tag).isTrue();
            out.put(id.group(1), Integer.parseInt(points.group(1)));
        }
        return out;
    }

    static String badge(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        return m.find() ? m.group(1) : "(no " + id + ")";
    }

    static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static byte[] png(long seed) throws IOException {
        BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 24; x++) {
                img.setRGB(x, y, random.nextInt(0xFFFFFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /**
     * Debian's {@code chromium} in headless mode, one process per page load, each with a fresh
     * profile so that concurrent runs never hand their page to another browser.
     */
    static final class HeadlessChromium {

        private static final Duration LIMIT = Duration.ofSeconds(120);

        private final Path binary;
        private final Path scratch;

        private HeadlessChromium(Path binary, Path scratch) {
            this.binary = binary;
            this.scratch = scratch;
        }

        /** Fails (never skips) without a browser: CI installs one, and a skipped browser test proves nothing. */
        static HeadlessChromium locate(Path scratch) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                for (String name : List.of("chromium", "chromium-browser")) {
                    Path candidate = Path.of(dir, name);
                    if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                        return new HeadlessChromium(candidate, scratch);
                    }
                }
            }
            return fail("DashboardIT needs headless Chromium and found no 'chromium' on PATH ("
                    + System.getenv("PATH") + "); install Debian's package: apt-get install chromium");
        }

        String dumpDom(URI page, int virtualSeconds) throws IOException, InterruptedException {
            return run(virtualSeconds, List.of("--dump-dom", page.toString()));
        }

        void screenshot(URI page, int virtualSeconds, Path png) throws IOException, InterruptedException {
            run(virtualSeconds, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1400,1000",
                    "--hide-scrollbars", page.toString()));
        }

        /** @return what the browser printed on stdout */
        private String run(int virtualSeconds, List<String> action) throws IOException, InterruptedException {
            Path runDir = Files.createTempDirectory(scratch, "chromium-");
            List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                    // no calls home: the CI machines' closed network refuses them, many at a time
                    "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + runDir.resolve("profile"), "--virtual-time-budget=" + virtualSeconds * 1000));
            command.addAll(action);
            Path out = runDir.resolve("stdout");
            Path err = runDir.resolve("stderr");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                // a fetch that never ends would hold virtual time still forever
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                fail("chromium did not finish within " + LIMIT + ": " + command + "\n" + tail(err));
            }
            if (p.exitValue() != 0) {
                fail("chromium exited with " + p.exitValue() + ": " + command + "\n" + tail(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        private static String tail(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
    }
}
