package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

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

    static final Path ARTIFACTS = Path.of("target", "dashboard-it");
    static final int VIRTUAL_SECONDS = 15;
    static final List<String> ENGINE_CHARTS = List.of("chart-batch", "chart-kv");
    static final List<String> STATS_CHARTS = List.of("chart-ttft", "chart-itl", "chart-tps");

    static HeadlessChromium chromium;
    static ServiceFixture fixture;
    static BackgroundTraffic traffic;

    @BeforeAll
    static void start() throws Exception {
        Path scratch = Files.createTempDirectory("trol-dashboard-browser-");
        chromium = HeadlessChromium.locate(scratch);   // before anything slow: no browser, no test
        fixture = ServiceFixture.start("dashboard");
        traffic = BackgroundTraffic.start(fixture.kafka, "dash-");
    }

    @AfterAll
    static void stop() throws Exception {
        try (ServiceFixture f = fixture; BackgroundTraffic t = traffic) {
            // the traffic stops first, then the service
        }
        if (fixture != null && Files.exists(fixture.work.resolve("service.log"))) {
            Files.createDirectories(ARTIFACTS);
            Files.copy(fixture.work.resolve("service.log"), ARTIFACTS.resolve("service.log"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void engineSnapshotIsLiveAndItsBlockCountsAddUp() throws Exception {
        traffic.awaitAnswers(3);
        JsonNode first = fixture.getJson("/v1/engine");
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
            later = fixture.getJson("/v1/engine");
        }
        assertThat(later.get("generatedTokens").asLong()).as("%s", traffic)
                .isGreaterThan(first.get("generatedTokens").asLong());
        assertThat(later.get("steps").asLong()).isGreaterThan(first.get("steps").asLong());
    }

    @Test
    void dashboardIsServedAtTheRootAndNeedsNoOtherHost() throws Exception {
        HttpResponse<String> page = fixture.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("src=\"dashboard.js\"", "href=\"dashboard.css\"");
        // it must work offline: nothing may be fetched from another host (absolute or scheme-relative)
        Pattern elsewhere = Pattern.compile("https?://|(src|href)\\s*=\\s*[\"']//|url\\(\\s*[\"']?//|@import");
        for (String path : List.of("/", "/dashboard.js", "/dashboard.css")) {
            HttpResponse<String> r = fixture.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(elsewhere.matcher(r.body()).find()).as("%s refers to another host", path).isFalse();
        }
        assertThat(fixture.get("/dashboard.js").headers().firstValue("Content-Type").orElse("")).contains("javascript");
    }

    @Test
    void browserPlotsTheEngineAndTheStatsWhileTrafficFlows() throws Exception {
        traffic.awaitAnswers(3);
        String statsBefore = fixture.awaitCompletedStatsWindow(Duration.ofSeconds(60));

        Files.createDirectories(ARTIFACTS);
        String dom = chromium.dumpDom(fixture.service.uri("/"), VIRTUAL_SECONDS);
        Files.writeString(ARTIFACTS.resolve("dashboard.html"), dom);
        Path png = ARTIFACTS.resolve("dashboard.png");
        Files.deleteIfExists(png);
        chromium.screenshot(fixture.service.uri("/"), VIRTUAL_SECONDS, png);
        assertThat(png).exists();
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1400);

        Map<String, Integer> points = dataPoints(dom);
        assertThat(points.keySet()).containsExactlyInAnyOrder("chart-ttft", "chart-itl", "chart-tps", "chart-batch",
                "chart-kv");
        SoftAssertions soft = new SoftAssertions();
        for (String chart : ENGINE_CHARTS) {
            soft.assertThat(points.get(chart)).as("%s: engine samples plotted; page said '%s'; traffic: %s",
                    chart, badge(dom, "engine-status"), traffic).isGreaterThanOrEqualTo(2);
        }
        for (String chart : STATS_CHARTS) {
            soft.assertThat(points.get(chart)).as("%s: stats windows plotted; page said '%s'; /v1/stats before the browser: %s",
                    chart, badge(dom, "stats-status"), statsBefore).isGreaterThanOrEqualTo(1);
        }
        soft.assertAll();
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
}
