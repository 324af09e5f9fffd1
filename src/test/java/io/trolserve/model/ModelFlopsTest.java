package io.trolserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.trolserve.model.checkpoint.MappedWeights;
import io.trolserve.model.checkpoint.SafetensorsFile;
import io.trolserve.tiny.TinyCheckpointSpec;

/**
 * The FLOP counts against the checkpoint itself: every matmul weight in the file is counted once
 * per token (2 FLOPs a parameter), so a projection or adapter the formulas forgot, or one counted
 * twice, shows as a mismatch with the tensors the loader maps.
 */
class ModelFlopsTest {

    private static final TinyCheckpointSpec SPEC = TinyCheckpointSpec.micro().toBuilder().bias(true).build();

    @Test
    void projectionsAdaptersAndHeadAreTwoFlopsPerParameter() {
        Path dir = TinyCheckpoints.of(SPEC);
        ModelFlops flops = new ModelFlops(TrolConfig.read(dir.resolve("config.json")));

        assertThat(flops.projectionsPerToken()).isEqualTo(2 * numel(dir, n -> n.startsWith("model.layers.") && n.endsWith(".ffn.weight")));
        assertThat(flops.adaptersPerImageToken()).isEqualTo(2 * numel(dir, n -> n.startsWith("model.layers.") && n.contains(".lora_")));
        assertThat(flops.headPerRow()).isEqualTo(2 * numel(dir, n -> n.equals("output.weight")));
    }

    @Test
    void visionIsEveryEncoderMatmulOverEveryTokenPlusAttentionAndProjector() {
        Path dir = TinyCheckpoints.of(SPEC);
        TrolConfig config = TrolConfig.read(dir.resolve("config.json"));
        VisionConfig v = config.vision();
        long tokens = v.imageTokens() + 1L;
        long encoderMatmuls = numel(dir, n -> n.contains(".encoder.layers.") && n.endsWith("proj.weight")
                || n.contains(".encoder.layers.") && n.contains(".mlp.fc") && n.endsWith(".weight"));
        long attention = 2L * 2 * v.numLayers() * tokens * tokens * v.hiddenSize();
        long patches = 2L * v.imageTokens() * numel(dir, n -> n.endsWith("patch_embedding.weight"));
        long projector = 2L * v.imageTokens() * numel(dir, n -> n.startsWith("vision_proj.") && n.endsWith(".weight"));

        assertThat(new ModelFlops(config).visionPerImage()).isEqualTo(2 * tokens * encoderMatmuls + attention + patches + projector);
    }

    @Test
    void promptIsTwoPassesWithCausalAttentionAndDecodeFeedsBackAllButTheLastOutput() {
        ModelFlops flops = new ModelFlops(TrolConfig.read(TinyCheckpoints.of(SPEC).resolve("config.json")));
        long onePassOfThree = 3 * flops.projectionsPerToken() + flops.adaptersPerImageToken()
                + flops.attentionPerToken(1) + flops.attentionPerToken(2) + flops.attentionPerToken(3);

        assertThat(flops.prompt(3, 1)).isEqualTo(2 * onePassOfThree + 3 * flops.gatePerToken() + flops.headPerRow());
        assertThat(flops.decode(3, 1)).isZero();
        assertThat(flops.decode(3, 3)).isEqualTo(2 * (flops.projectionsPerToken() + flops.headPerRow())
                + flops.attentionPerToken(4) + flops.attentionPerToken(5));
        assertThat(flops.request(3, 1, 1, 3)).isEqualTo(flops.visionPerImage() + flops.prompt(3, 1) + flops.decode(3, 3));
    }

    private static long numel(Path dir, Predicate<String> names) {
        try (MappedWeights weights = MappedWeights.openCheckpoint(dir)) {
            long total = 0;
            for (MappedWeights.Located t : weights.tensors().values()) {
                SafetensorsFile.Entry e = t.entry();
                if (names.test(e.name())) {
                    total += e.numel();
                }
            }
            return total;
        }
    }
}
