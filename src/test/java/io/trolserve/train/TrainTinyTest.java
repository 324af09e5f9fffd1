package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

class TrainTinyTest {

    @TempDir
    Path dir;

    /** Learning happens: on one repeated batch the loss falls to a fraction of where it started. */
    @Test
    void theLossFallsOnARepeatedBatch() throws Exception {
        Libtorch.prepareComputeThread();
        DemoModel.writeTokenizer(dir);
        try (TrolTokenizer tokenizer = TrolTokenizer.load(dir);
             TrainableTrol net = new TrainableTrol(DemoModel.config(), 3)) {
            List<Example> fixed = List.of(new ShapesDataset(DemoModel.IMAGE_SIDE, 3).next(QuestionKind.COLOUR),
                    new ShapesDataset(DemoModel.IMAGE_SIDE, 4).next(QuestionKind.TEXT_ONLY));
            int[] drawn = {0};
            List<Trainer.Progress> history = Trainer.train(net, tokenizer, () -> List.of(fixed.get(drawn[0]++ % fixed.size())),
                    new Trainer.Settings(25, 2, 3e-3, 2), p -> { });
            double first = history.get(0).loss();
            double last = history.get(history.size() - 1).loss();
            assertThat(last).as("loss after 25 steps, from %.3f", first).isLessThan(first * 0.2);
            // the tower's scores are shares of what was asked; every batch here has one picture of one shape
            ImageHeads.TowerScores tower = history.get(history.size() - 1).tower();
            for (double share : new double[] {tower.shapeCells(), tower.kindCounts(), tower.presentFound(), tower.absentHeld()}) {
                assertThat(share).isBetween(0.0, 1.0);
            }
        }
    }

    /** A short run writes a checkpoint the service loads, with its tokenizer and how it was trained. */
    @Test
    void aRunWritesALoadableCheckpointAndItsRecord() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainTiny.train(new TrainTiny.Options(dir, 11, 3, 2, 1, 1e-3, 1, DType.F16, 2, 3), new PrintStream(log, true,
                StandardCharsets.UTF_8), 1);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("tower stage: 2 steps of 3 pictures")
                .contains("tower     2  loss").contains("step     3  loss").contains("tower: shape cells");
        JsonNode record = new ObjectMapper().readTree(dir.resolve("training.json").toFile());
        assertThat(record.get("steps").asInt()).isEqualTo(3);
        assertThat(record.get("towerSteps").asInt()).isEqualTo(2);
        assertThat(record.get("seconds").asDouble()).isGreaterThan(record.get("towerSeconds").asDouble());
        assertThat(record.get("lossLast20").asDouble()).isPositive();
        try (TrolTokenizer tokenizer = TrolTokenizer.load(dir);
             TrolModel model = TrolModel.load(dir, Placement.cpuFloat32())) {
            assertThat(model.imageSize()).isEqualTo(DemoModel.IMAGE_SIDE);
            assertThat(model.imageTokensPerImage()).isEqualTo(64);
            assertThat(tokenizer.size()).isEqualTo(DemoModel.VOCAB_SIZE + 1);
        }
        Map<QuestionKind, DemoEvaluation.KindScore> scores = DemoEvaluation.run(dir, 1, 1);
        assertThat(scores).containsOnlyKeys(QuestionKind.values());
        assertThat(scores.values()).allSatisfy(s -> assertThat(s.asked()).isEqualTo(1));
        assertThatThrownBy(() -> DemoEvaluation.run(dir, 1, 0)).hasMessageContaining("must be positive");
    }

    /** The same seed trains the same model, byte for byte: the shipped checkpoint can be retrained. */
    @Test
    void theSameSeedTrainsTheSameWeights() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        TrainTiny.train(new TrainTiny.Options(first, 21, 4, 3, 3, 2e-3, 2, DType.F32, 3, 5), quiet, 1);
        TrainTiny.train(new TrainTiny.Options(second, 21, 4, 3, 3, 2e-3, 2, DType.F32, 3, 5), quiet, 1);
        for (String file : List.of("model.safetensors", "trol_gating.pt", "tokenizer.json", "config.json")) {
            assertThat(Files.readAllBytes(second.resolve(file))).as(file).isEqualTo(Files.readAllBytes(first.resolve(file)));
        }
    }

    /** Bad settings are refused when the options are made, before the run writes anything. */
    @Test
    void badSettingsAreRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> new TrainTiny.Options(dir, 1, 3, 2, 1, 1e-3, 1, DType.F16, -1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tower steps cannot be negative");
        assertThatThrownBy(() -> new TrainTiny.Options(dir, 1, 3, 2, 1, 1e-3, 1, DType.F16, 5, 2000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1024 pictures");
        assertThatThrownBy(() -> new TrainTiny.Options(dir, 1, 0, 2, 1, 1e-3, 1, DType.F16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new TrainTiny.Options(dir, 1, 3, 2, 5, 1e-3, 1, DType.F16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("questions per picture run from 1 to 4");
        // no tower stage: its batch size is not used, so not checked
        assertThat(new TrainTiny.Options(dir, 1, 3, 2, 1, 1e-3, 1, DType.F16, 0, 0).towerSteps()).isZero();
    }

    /** The issue's bars, per kind. */
    @Test
    void targetsAreTheIssues() {
        assertThat(TrainTiny.target(QuestionKind.COLOUR)).isEqualTo(0.95);
        assertThat(TrainTiny.target(QuestionKind.SHAPE)).isEqualTo(0.95);
        assertThat(TrainTiny.target(QuestionKind.COUNT)).isEqualTo(0.80);
        assertThat(TrainTiny.target(QuestionKind.YES_NO)).isEqualTo(0.90);
        assertThat(TrainTiny.target(QuestionKind.DESCRIBE)).isZero();
    }
}
