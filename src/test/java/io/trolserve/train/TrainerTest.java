package io.trolserve.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
