package io.trolserve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.trolserve.model.ConfigKeys;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.TinyCheckpointFiles;
import io.trolserve.tiny.TinyCheckpointSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Writes a TroL checkpoint with seeded random weights in exactly the published layout
 * (config.json with vision_config, safetensors, trol_gating.pt, tokenizer.json): the real loading
 * code runs on it, its answers are meaningless. Weights are streamed to disk tensor by tensor, so
 * even the trol-1.8b preset (about 4.9 GB) is written with a small heap.
 */
@Command(name = "init-tiny", mixinStandardHelpOptions = true,
        description = "Write a TroL checkpoint with seeded random weights (small, or at TroL-1.8B's size).")
public class InitTinyCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Directory to write (created if absent)")
    Path dir;

    @Option(names = "--seed", description = "Random seed (default: the preset's)")
    Long seed;

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny (1225 image tokens), micro (16), medium (hidden 1024,"
            + " 8 layers), trol-1.8b (TroL-1.8B's real shapes, bfloat16, 2 shards: about 4.9 GB)")
    String preset;

    @Option(names = "--hidden") Integer hidden;
    @Option(names = "--intermediate") Integer intermediate;
    @Option(names = "--layers") Integer layers;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--kv-heads") Integer kvHeads;
    @Option(names = "--vocab", description = "vocab_size V; <image> gets id V") Integer vocab;
    @Option(names = "--plora-rank") Integer ploraRank;
    @Option(names = "--image-size", description = "Side images are resized to (490 for TroL)") Integer imageSize;
    @Option(names = "--position-rows", description = "Rows of the stored CLIP position table, n*n+1 (577 exercises the resize)") Integer positionRows;
    @Option(names = "--dtype", description = "float32, float16 or bfloat16 weights") String dtype;
    @Option(names = "--shards", description = "Number of safetensors shards") Integer shards;
    @Option(names = "--bias", description = "Biases on wqkv and wo") Boolean bias;
    @Option(names = "--gate", description = "RANDOM, CLOSED (s = 0) or OPEN (s = 1)") TinyCheckpointSpec.Gate gate;

    @Override
    public Integer call() throws IOException {
        TinyCheckpointSpec spec = spec();
        if (Files.exists(dir.resolve(ConfigKeys.FILE))) {
            throw new IllegalArgumentException(dir + " already holds a checkpoint (config.json); choose an empty directory");
        }
        TrolConfig config = TinyCheckpointFiles.write(dir, spec);
        System.out.printf("wrote a %s TroL checkpoint to %s (hidden %d, %d layers, %d image tokens, seed %d)%n",
                preset, dir, config.hiddenSize(), config.numLayers(), config.vision().imageTokens(), spec.seed());
        return 0;
    }

    private TinyCheckpointSpec spec() {
        TinyCheckpointSpec base = TinyCheckpointSpec.preset(preset);
        TinyCheckpointSpec.Builder b = base.toBuilder();
        b.language(or(hidden, base.hiddenSize()), or(intermediate, base.intermediateSize()),
                or(layers, base.numLayers()), or(heads, base.numHeads()), or(kvHeads, base.numKvHeads()));
        if (seed != null) b.seed(seed);
        if (vocab != null) b.vocabSize(vocab);
        if (ploraRank != null) b.ploraRank(ploraRank);
        if (imageSize != null) b.imageSize(imageSize);
        if (positionRows != null) {
            b.positionRows(positionRows);
        } else if (imageSize != null) {
            int grid = imageSize / base.patchSize();
            b.positionRows(grid * grid + 1);
        }
        if (dtype != null) {
            b.dtype(DType.fromUserName(dtype).orElseThrow(() ->
                    new IllegalArgumentException("--dtype must be float32, float16 or bfloat16, not " + dtype)));
        }
        if (shards != null) b.shards(shards);
        if (bias != null) b.bias(bias);
        if (gate != null) b.gate(gate);
        return b.build();
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
