package io.trolserve.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.trolserve.model.checkpoint.DType;
import io.trolserve.train.DemoModel;
import io.trolserve.train.TrainTiny;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code train-tiny}: trains the demo TroL on synthetic shapes (see {@link TrainTiny}). */
@Command(name = "train-tiny", mixinStandardHelpOptions = true,
        description = "Train the small demo TroL from scratch on synthetic coloured shapes, on the CPU, and write it"
                + " in the published checkpoint layout.")
public class TrainTinyCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Directory to write the checkpoint to (created if absent)")
    Path dir;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds the initial weights and the data stream")
    long seed;

    @Option(names = "--steps", defaultValue = "2000", description = "Steps of the answer stage") int steps;
    @Option(names = "--batch", defaultValue = "16", description = "Pictures (or text-only questions) a step") int batch;
    @Option(names = "--questions-per-picture", defaultValue = "4",
            description = "Questions asked of each picture, 1 to 4: the picture is read once for all of them")
    int questionsPerPicture;
    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate (AdamW)") double learningRate;
    @Option(names = "--threads", defaultValue = "2",
            description = "Training threads: each computes its share of every batch on one core")
    int threads;
    @Option(names = "--tower-steps", defaultValue = "2000",
            description = "Steps of a first stage that trains the vision tower alone on what each picture holds")
    int towerSteps;
    @Option(names = "--tower-batch", defaultValue = "64", description = "Pictures a tower-stage step") int towerBatch;
    @Option(names = "--dtype", defaultValue = "F16", description = "Weights as written: F32, F16 or BF16") DType dtype;

    @Option(names = "--eval", description = "After training, measure accuracy per question kind on held-out data")
    boolean eval;

    @Option(names = "--eval-only", description = "Measure the checkpoint already in DIR; train nothing")
    boolean evalOnly;

    @Option(names = "--eval-seed", defaultValue = "7919", description = "Seeds the held-out examples") long evalSeed;
    @Option(names = "--eval-questions", defaultValue = "200", description = "Held-out questions per kind") int perKind;

    @Option(names = "--demo-image", description = "Also write the README's demo picture as a PNG here")
    Path demoImage;

    @Override
    public Integer call() throws Exception {
        if (demoImage != null) {
            DemoModel.writePng(DemoModel.demoScene(), demoImage);
        }
        if (!evalOnly) {
            TrainTiny.train(new TrainTiny.Options(dir, seed, steps, batch, questionsPerPicture, learningRate, threads,
                    dtype, towerSteps, towerBatch), System.out, 20);
        }
        if (eval || evalOnly) {
            return TrainTiny.evaluate(dir, evalSeed, perKind, System.out) ? 0 : 1;
        }
        return 0;
    }
}
