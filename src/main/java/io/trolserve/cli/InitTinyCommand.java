package io.trolserve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.trolserve.model.ConfigKeys;
import io.trolserve.model.Phi3Config;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.checkpoint.DType;
import io.trolserve.tiny.Phi3CheckpointSpec;
import io.trolserve.tiny.TinyCheckpointFiles;
import io.trolserve.tiny.TinyCheckpointSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

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

    /** The architecture of the checkpoint: its config.json layout, weights and tokenizer. */
    enum Variant { INTERNLM2, PHI3 }

    @Option(names = "--variant", defaultValue = "INTERNLM2", converter = VariantName.class,
            description = "internlm2 (TroL-1.8B/7B layout, default) or phi3 (TroL-3.8B: Phi-3 + InternViT; presets"
                    + " tiny and medium; takes --seed, --dtype, --shards, --gate)")
    Variant variant;

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
        if (Files.exists(dir.resolve(ConfigKeys.FILE))) {
            throw new IllegalArgumentException(dir + " already holds a checkpoint (config.json); choose an empty directory");
        }
        if (variant == Variant.PHI3) {
            return writePhi3();
        }
        TinyCheckpointSpec spec = spec();
        TrolConfig config = TinyCheckpointFiles.write(dir, spec);
        System.out.printf("wrote a %s TroL checkpoint to %s (hidden %d, %d layers, %d image tokens, seed %d)%n",
                preset, dir, config.hiddenSize(), config.numLayers(), config.vision().imageTokens(), spec.seed());
        return 0;
    }

    private int writePhi3() throws IOException {
        List<String> unsupported = new ArrayList<>();
        Object[][] internLm2Only = {{"--hidden", hidden}, {"--intermediate", intermediate}, {"--layers", layers},
            {"--heads", heads}, {"--kv-heads", kvHeads}, {"--vocab", vocab}, {"--plora-rank", ploraRank},
            {"--image-size", imageSize}, {"--position-rows", positionRows}, {"--bias", bias}};
        for (Object[] option : internLm2Only) {
            if (option[1] != null) {
                unsupported.add((String) option[0]);
            }
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("--variant phi3 takes --preset, --seed, --dtype, --shards and --gate; not "
                    + String.join(", ", unsupported));
        }
        Phi3CheckpointSpec.Builder b = Phi3CheckpointSpec.preset(preset).toBuilder();
        if (seed != null) b.seed(seed);
        if (dtype != null) b.dtype(dtypeOf(dtype));
        if (shards != null) b.shards(shards);
        if (gate != null) b.gate(gate);
        Phi3CheckpointSpec spec = b.build();
        Phi3Config config = TinyCheckpointFiles.writePhi3(dir, spec);
        System.out.printf("wrote a %s TroL-3.8B-layout (Phi-3 + InternViT) checkpoint to %s (hidden %d, %d layers,"
                + " 448 px tiles, seed %d)%n", preset, dir, config.hiddenSize(), config.numLayers(), spec.seed());
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
        if (dtype != null) b.dtype(dtypeOf(dtype));
        if (shards != null) b.shards(shards);
        if (bias != null) b.bias(bias);
        if (gate != null) b.gate(gate);
        return b.build();
    }

    private static DType dtypeOf(String name) {
        return DType.fromUserName(name).orElseThrow(() ->
                new IllegalArgumentException("--dtype must be float32, float16 or bfloat16, not " + name));
    }

    /** Accepts the variant in any case, as written in the help ({@code phi3}). */
    static final class VariantName implements ITypeConverter<Variant> {
        @Override
        public Variant convert(String value) {
            try {
                return Variant.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("--variant must be internlm2 or phi3, not " + value);
            }
        }
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
