package io.trolserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainIntegrationTest;

/**
 * The packaged jar's command line as a user runs it, one process per launch: init-tiny writes a
 * checkpoint, generate answers on it and prints one JSON object as its last stdout line; bad input
 * gets one clear line and exit 2.
 */
@QuarkusMainIntegrationTest
class CommandLineIT {

    private static Path checkpoint;

    private static synchronized Path checkpoint(QuarkusMainLauncher launcher) throws IOException {
        if (checkpoint == null) {
            Path dir = Files.createTempDirectory("trol-cli-").resolve("micro");
            LaunchResult r = launcher.launch("init-tiny", dir.toString(), "--preset", "micro");
            assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
            assertThat(dir.resolve("tokenizer.json")).exists();
            checkpoint = dir;
        }
        return checkpoint;
    }

    @Test
    void generateWithAnImagePrintsTheContractJson(QuarkusMainLauncher launcher) throws IOException {
        Path dir = checkpoint(launcher);
        Path image = Files.createTempFile("trol-", ".png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", image.toFile());
        LaunchResult r = launcher.launch("generate", "--model", dir.toString(), "--image", image.toString(),
                "--question", "What is the troll doing?", "--max-new-tokens", "5");
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        JsonNode json = lastLineJson(r);
        assertThat(json.get("tokenIds").size()).isBetween(1, 5);
        assertThat(json.get("promptTokens").asInt()).isGreaterThan(16);
        assertThat(json.get("imageTokens").asInt()).isEqualTo(16);
        assertThat(json.has("text")).isTrue();
        assertThat(json.get("finishReason").asText()).isIn("stop", "length");
    }

    @Test
    void greedyGenerateIsDeterministic(QuarkusMainLauncher launcher) throws IOException {
        Path dir = checkpoint(launcher);
        List<String> args = List.of("generate", "--model", dir.toString(), "--question", "Hi there", "--max-new-tokens", "6");
        JsonNode first = lastLineJson(launcher.launch(args.toArray(String[]::new)));
        JsonNode second = lastLineJson(launcher.launch(args.toArray(String[]::new)));
        assertThat(first.get("tokenIds")).isEqualTo(second.get("tokenIds"));
        assertThat(first.get("tokenIds").size()).isEqualTo(6);
        assertThat(first.get("finishReason").asText()).isEqualTo("length");
    }

    /** The README's first question: with no checkpoint configured, the demo TroL answers it, and the log says which model runs. */
    @Test
    void withoutACheckpointTheDemoModelAnswersAndSaysSo(QuarkusMainLauncher launcher) throws IOException {
        LaunchResult r = launcher.launch("generate", "--image", "docs/demo.png", "--question", "What shape is this?");
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        assertThat(r.getErrorOutput()).contains("no checkpoint configured").contains("running the demo TroL")
                .contains("TROL_MODEL_PATH");
        assertThat(lastLineJson(r).get("text").asText().trim()).isEqualTo("It is a star.");
        assertThat(lastLineJson(r).get("finishReason").asText()).isEqualTo("stop");
    }

    @Test
    void nonPositiveMaxNewTokensIsRefused(QuarkusMainLauncher launcher) throws IOException {
        LaunchResult r = launcher.launch("generate", "--model", checkpoint(launcher).toString(), "--question", "hi",
                "--max-new-tokens", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).contains("maxNewTokens must be positive");
    }

    @Test
    void requestsFileGetsOneAnswerPerLineThroughTheEngine(QuarkusMainLauncher launcher) throws IOException {
        Path dir = checkpoint(launcher);
        Path image = Files.createTempFile("trol-", ".png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(24, 18, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", image.toFile());
        String b64 = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(image));
        Path requests = Files.createTempFile("trol-", ".jsonl");
        Files.write(requests, List.of(
                "{\"id\": \"inline\", \"question\": \"What is it?\", \"image\": {\"data\": \"" + b64
                        + "\", \"mediaType\": \"image/png\"}, \"params\": {\"maxNewTokens\": 4}}",
                "{\"id\": \"file\", \"question\": \"And this?\", \"image\": {\"url\": \"" + image.toUri()
                        + "\"}, \"params\": {\"maxNewTokens\": 3, \"temperature\": 0.8, \"seed\": 5}}",
                "{\"id\": \"text\", \"question\": \"Hello?\", \"params\": {\"maxNewTokens\": 2}}",
                "{\"id\": \"late\", \"question\": \"Too late?\", \"deadline\": \"2020-01-01T00:00:00Z\"}",
                "{\"id\": \"broken\", \"question\": \"What?\", \"image\": {\"data\": \"aGVsbG8=\", \"mediaType\": \"image/png\"}}",
                "not json"));
        LaunchResult r = launcher.launch("generate", "--model", dir.toString(), "--requests", requests.toString());
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (String line : r.getOutputStream()) {
            if (line.startsWith("{")) {
                JsonNode a = new ObjectMapper().readTree(line);
                byId.put(a.get("id").asText(), a);
            }
        }
        assertThat(byId).containsOnlyKeys("inline", "file", "text", "late", "broken", "line-6");
        assertThat(byId.get("inline").get("tokenIds").size()).isBetween(1, 4);
        assertThat(byId.get("inline").get("usage").get("imageTokens").asInt()).isEqualTo(16);
        assertThat(byId.get("file").get("usage").get("imageTokens").asInt()).isEqualTo(16);
        assertThat(byId.get("late").get("finishReason").asText()).isEqualTo("deadline");
        assertThat(byId.get("broken").get("error").get("code").asText()).isEqualTo("unsupported-format");
        assertThat(byId.get("line-6").get("error").get("code").asText()).isEqualTo("malformed-json");
    }

    @Test
    void missingCheckpointIsOneClearLine(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("generate", "--model", "/nonexistent/trol", "--question", "hi");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).contains("error:").contains("/nonexistent/trol").doesNotContain("Exception");
    }

    @Test
    void anImageThatIsNotAnImageIsRefused(QuarkusMainLauncher launcher) throws IOException {
        Path dir = checkpoint(launcher);
        Path bogus = Files.createTempFile("trol-", ".png");
        Files.writeString(bogus, "no pixels here");
        LaunchResult r = launcher.launch("generate", "--model", dir.toString(), "--image", bogus.toString(), "--question", "hi");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).contains("error:");
    }

    /** Both stages from the command line, as the README's retrain line runs them, only shorter. */
    @Test
    void trainTinyRunsTheTowerStageThenTheAnswerStage(QuarkusMainLauncher launcher) throws IOException {
        Path dir = Files.createTempDirectory("trol-cli-").resolve("demo");
        LaunchResult r = launcher.launch("train-tiny", dir.toString(), "--tower-steps", "2", "--tower-batch", "3",
                "--steps", "2", "--batch", "2", "--threads", "1");
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        assertThat(r.getOutput()).contains("tower stage: 2 steps of 3 pictures").contains("answer stage")
                .contains("step     2  loss");
        JsonNode record = new ObjectMapper().readTree(dir.resolve("training.json").toFile());
        assertThat(record.get("towerSteps").asInt()).isEqualTo(2);
        assertThat(record.get("questionsPerPicture").asInt()).isEqualTo(4);
    }

    @Test
    void trainTinyRefusesNegativeTowerSteps(QuarkusMainLauncher launcher) throws IOException {
        Path dir = Files.createTempDirectory("trol-cli-").resolve("demo");
        LaunchResult r = launcher.launch("train-tiny", dir.toString(), "--tower-steps", "-1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).contains("tower steps cannot be negative").doesNotContain("Exception");
        assertThat(dir).doesNotExist();
    }

    @Test
    void initTinyRefusesToOverwriteACheckpoint(QuarkusMainLauncher launcher) throws IOException {
        LaunchResult r = launcher.launch("init-tiny", checkpoint(launcher).toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).contains("already holds a checkpoint");
    }

    @Test
    void initTinyWritesTheTrol38bLayout(QuarkusMainLauncher launcher) throws IOException {
        Path dir = Files.createTempDirectory("trol-cli-").resolve("phi3");
        LaunchResult r = launcher.launch("init-tiny", dir.toString(), "--variant", "phi3", "--seed", "7");
        assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
        assertThat(r.getOutput()).contains("TroL-3.8B-layout");
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(dir.resolve("trol_gating.pt")).exists();
        assertThat(dir.resolve("tokenizer.json")).exists();
        assertThat(new ObjectMapper().readTree(dir.resolve("config.json").toFile()).has("llm_config")).isTrue();
    }

    @Test
    void initTinyNamesTheOptionsAVariantDoesNotTake(QuarkusMainLauncher launcher) throws IOException {
        Path dir = Files.createTempDirectory("trol-cli-").resolve("phi3-bad");
        LaunchResult r = launcher.launch("init-tiny", dir.toString(), "--variant", "phi3", "--plora-rank", "8");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getErrorOutput()).contains("--plora-rank").doesNotContain("Exception");
    }

    private static JsonNode lastLineJson(LaunchResult r) throws IOException {
        List<String> lines = r.getOutputStream();
        assertThat(lines).as(r.getErrorOutput()).isNotEmpty();
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }
}
