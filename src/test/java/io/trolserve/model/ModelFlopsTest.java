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

        assertThat(new ModelFlops(config).visionPerTile()).isEqualTo(2 * tokens * encoderMatmuls + attention + patches + projector);
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
        assertThat(flops.request(3, 1, 1, 3)).isEqualTo(flops.visionPerTile() + flops.prompt(3, 1) + flops.decode(3, 3));
    }

    /**
     * TroL-3.8B by hand: H 8, I 12, L 2, nH 2, nKV 1 (d 4, qkv rows 16), V 10; InternViT C 4, Ci 8,
     * Lv 1, P 14, S 28 (grid 2: 4 patches + CLS = 5 tokens, 1 shuffled token a tile).
     */
    @Test
    void phi3AndInternVitCountedByHand() {
        InternVitConfig vit = new InternVitConfig(4, 8, 1, 2, 14, 28, true, false,
                InternVitConfig.NormType.LAYER_NORM, 1e-6, "gelu", 0.5);
        ModelFlops flops = new ModelFlops(phi3(null), vit);

        assertThat(flops.projectionsPerToken()).isEqualTo(2 * 2 * (8 * 16 + 8 * 8 + 2 * 12 * 8 + 12 * 8));   // 1920
        assertThat(flops.adaptersPerImageToken()).isZero();
        assertThat(flops.attentionPerToken(3)).isEqualTo(2 * 2 * 2 * 2 * 4 * 3);                          // 192
        assertThat(flops.headPerRow()).isEqualTo(160);
        assertThat(flops.gatePerToken()).isEqualTo(32);
        // patch conv 2*4*(3*14*14)*4 = 18816; layer 2*5*(4*16 + 2*4*8) + 2*2*25*4 = 1680; projector 2*1*(16*8 + 8*8) = 384
        assertThat(flops.visionPerTile()).isEqualTo(20880);
        // two passes of 3*1920 + 64*(1+2+3), three gates, one head row
        assertThat(flops.prompt(3, 1)).isEqualTo(12544);
        // fed back: 1920 + 64*4 + 160, then 1920 + 64*5 + 160
        assertThat(flops.decode(3, 3)).isEqualTo(4736);
        assertThat(flops.request(3, 1, 2, 3)).isEqualTo(2 * 20880 + 12544 + 4736);
    }

    @Test
    void phi3SlidingWindowCapsTheKeysAQuerySees() {
        ModelFlops flops = new ModelFlops(phi3(2), InternVitConfig.INTERN_VIT_300M_448PX);

        // window 2: at most 3 keys; prompt keys 1+2+3+3+3 = 12, decode steps see 3 each
        assertThat(flops.prompt(5, 0)).isEqualTo(2 * (5 * 1920 + 64 * 12) + 5 * 32 + 160);
        assertThat(flops.decode(5, 3)).isEqualTo(2 * (1920 + 64 * 3 + 160));
    }

    private static Phi3Config phi3(Integer slidingWindow) {
        return new Phi3Config(10, 8, 12, 2, 2, 1, 1e-5, 10000, null, 4096, 4096, slidingWindow, 1, 2, false);
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
