package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.bytedeco.pytorch.TensorVector;

import io.trolserve.model.CheckpointLayout;
import io.trolserve.testkit.Trials;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

class TrainerTest {

    @TempDir
    Path dir;

    /**
     * Splitting a batch over workers computes the same training: each shard's loss is weighted by
     * its share, so the shards' gradients add up to the whole batch's. Three steps on the same
     * batches give the same losses on one worker as on three (up to the order of float sums).
     */
    @Test
    void shardedStepsTrainAsTheWholeBatchDoes() throws Exception {
        Libtorch.prepareComputeThread();
        DemoModel.writeTokenizer(dir);
        try (TrolTokenizer tokenizer = TrolTokenizer.load(dir)) {
            double[] one = losses(tokenizer, 1);
            double[] three = losses(tokenizer, 3);
            for (int i = 0; i < one.length; i++) {
                assertThat(three[i]).as("step %d", i + 1).isCloseTo(one[i], within(1e-4 * one[i]));
            }
        }
    }

    private static double[] losses(TrolTokenizer tokenizer, int workers) {
        try (TrainableTrol net = new TrainableTrol(DemoModel.config(), 5)) {
            ShapesDataset data = new ShapesDataset(DemoModel.IMAGE_SIDE, 5);
            List<Trainer.Progress> history = Trainer.train(net, tokenizer, () -> data.nextGroup(3),
                    new Trainer.Settings(3, 7, 2e-3, 0, workers), p -> { });
            return history.stream().mapToDouble(Trainer.Progress::loss).toArray();
        }
    }

    /** The tower stage splits over workers as the answer stage does: the same losses on one worker and on three. */
    @Test
    void shardedTowerStepsTrainAsTheWholeBatchDoes() {
        Libtorch.prepareComputeThread();
        double[] one = towerLosses(1);
        double[] three = towerLosses(3);
        for (int i = 0; i < one.length; i++) {
            assertThat(three[i]).as("step %d", i + 1).isCloseTo(one[i], within(1e-4 * one[i]));
        }
    }

    private static double[] towerLosses(int workers) {
        try (TrainableTrol net = new TrainableTrol(DemoModel.config(), 6);
             ImageHeads heads = new ImageHeads(net.config().hiddenSize())) {
            ShapesDataset data = new ShapesDataset(DemoModel.IMAGE_SIDE, 6);
            return Trainer.trainTower(net, heads, data::nextScene, new Trainer.Settings(3, 7, 2e-3, 0, workers), p -> { })
                    .stream().mapToDouble(Trainer.Progress::loss).toArray();
        }
    }

    /**
     * The tower stage reads no text: it moves the vision tower and the projector, and leaves every
     * language-model weight and the traversal gate exactly as they were.
     */
    @Test
    void theTowerStageMovesTheTowerAndProjectorOnly() {
        Libtorch.prepareComputeThread();
        try (TrainableTrol net = new TrainableTrol(DemoModel.config(), 8);
             ImageHeads heads = new ImageHeads(net.config().hiddenSize())) {
            Map<String, float[]> before = values(net);
            float[] gateBefore = gate(net);
            ShapesDataset data = new ShapesDataset(DemoModel.IMAGE_SIDE, 8);
            Trainer.trainTower(net, heads, data::nextScene, new Trainer.Settings(2, 4, 1e-2, 0, 2), p -> { });
            Map<String, float[]> after = values(net);
            List<String> moved = new ArrayList<>();
            for (String name : net.names()) {
                if (!Arrays.equals(before.get(name), after.get(name))) {
                    moved.add(name);
                }
            }
            assertThat(moved).isNotEmpty().allSatisfy(name -> assertThat(name)
                    .matches(n -> n.startsWith(CheckpointLayout.VIT) || n.startsWith("vision_proj."), "a tower name"));
            assertThat(moved).contains(CheckpointLayout.PATCH_EMBEDDING, CheckpointLayout.PROJECTOR_IN + ".weight");
            assertThat(gate(net)).isEqualTo(gateBefore);
        }
    }

    private static Map<String, float[]> values(TrainableTrol net) {
        Map<String, float[]> out = new HashMap<>();
        for (String name : net.names()) {
            out.put(name, TrainableTrol.floats(net.parameter(name)));
        }
        return out;
    }

    /** The traversal gate's weight and bias, which {@link TrainableTrol#all} lists last. */
    private static float[] gate(TrainableTrol net) {
        try (TensorVector all = net.all()) {
            float[] weight = TrainableTrol.floats(all.get(all.size() - 2));
            float[] bias = TrainableTrol.floats(all.get(all.size() - 1));
            float[] out = Arrays.copyOf(weight, weight.length + 1);
            out[weight.length] = bias[0];
            return out;
        }
    }

    /** Shards are contiguous, in order, as even as can be, never empty, and cover the batch once. */
    @Test
    void shardsCoverTheBatchEvenly() {
        Trials.forAll(500, random -> new int[] {1 + random.nextInt(40), 1 + random.nextInt(8)}, sizes -> {
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < sizes[0]; i++) {
                batch.add(i);
            }
            List<List<Integer>> shards = Trainer.shards(batch, sizes[1]);
            assertThat(shards).hasSize(Math.min(sizes[0], sizes[1]));
            assertThat(shards.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(batch);
            int smallest = shards.stream().mapToInt(List::size).min().orElseThrow();
            int largest = shards.stream().mapToInt(List::size).max().orElseThrow();
            assertThat(smallest).isPositive();
            assertThat(largest - smallest).isLessThanOrEqualTo(1);
        });
    }

    @Test
    void noWorkersIsRefused() {
        assertThatThrownBy(() -> new Trainer.Settings(10, 4, 1e-3, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads must be positive");
        assertThatThrownBy(() -> new Trainer.Settings(10, 1025, 1e-3, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1024 pictures");
        assertThat(new Trainer.Settings(10, 1024, 1e-3, 0, 2).batchSize()).isEqualTo(1024);
    }
}
