package io.trolserve.tiny;

import java.util.ArrayList;
import java.util.List;

import io.trolserve.model.InternVitConfig;
import io.trolserve.model.Phi3Config;
import io.trolserve.model.checkpoint.DType;

/**
 * Dimensions of a TroL-3.8B-layout checkpoint (Phi-3 + InternViT, docs/TROL_3_8B.md §1) with
 * seeded random weights. Presets name the shapes tests and benchmarks use; {@link #toBuilder()}
 * overrides any field. {@link #phi3Config()} and {@link #visionConfig()} translate the spec into
 * the model's own records, whose tables name every tensor the writer writes.
 *
 * @param ropeScaling   SU or YARN writes {@code rope_scaling} with d/2 short and long factors; null writes null
 * @param slidingWindow {@code sliding_window}, or null for none
 * @param gateDtype     element type of {@code trol_gating.pt}; the published files hold bfloat16
 * @param shards        1 writes model.safetensors (as published); more writes shards + index
 */
public record Phi3CheckpointSpec(
        int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
        int maxPositions, int originalMaxPositions, double ropeTheta, Phi3Config.RopeScaling.Type ropeScaling,
        Integer slidingWindow, int bosTokenId, int eosTokenId,
        int visionHidden, int visionIntermediate, int visionLayers, int visionHeads, int patchSize, int imageSize,
        boolean qkvBias, boolean qkNormalization, InternVitConfig.NormType visionNorm,
        DType dtype, DType gateDtype, int shards, TinyCheckpointSpec.Gate gate, long seed) {

    /**
     * A tiny network on real 448 px tiles (32x32 patches, 256 tokens per tile), with the 128k
     * Phi-3-mini's positions (su scaling, magnitude sqrt(1 + ln 32 / ln 4096)) and the 4k one's
     * 2047-key sliding window, so that both code paths are live.
     */
    public static Phi3CheckpointSpec tiny() {
        return new Builder().build();
    }

    /**
     * Hidden 1024, 8 layers, MLP 4096, 16 heads: InternLM2 medium's cost, with Phi-3-mini's
     * nKV = nH; a 256-wide, 4-layer InternViT on 448 px tiles. The benchmarks' Phi-3 configuration.
     */
    public static Phi3CheckpointSpec medium() {
        return new Builder().vocabSize(8192).language(1024, 4096, 8, 16, 16).slidingWindow(262_144)
                .vision(256, 1024, 4, 4).build();
    }

    /** The preset names {@code init-tiny --variant phi3} accepts. */
    public static final String PRESETS = "tiny, medium";

    public static Phi3CheckpointSpec preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "medium" -> medium();
            default -> throw new IllegalArgumentException("unknown phi3 preset '" + name + "' (" + PRESETS + ")");
        };
    }

    /** The {@code llm_config} this spec writes, as {@link Phi3Config#read} reads it back. */
    public Phi3Config phi3Config() {
        Phi3Config.RopeScaling scaling = ropeScaling == null ? null
                : new Phi3Config.RopeScaling(ropeScaling, shortFactors(), longFactors());
        return new Phi3Config(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, 1e-5,
                ropeTheta, scaling, maxPositions, originalMaxPositions, slidingWindow, bosTokenId, eosTokenId, false);
    }

    /** The {@code vision_config} and {@code downsample_ratio} this spec writes. */
    public InternVitConfig visionConfig() {
        return new InternVitConfig(visionHidden, visionIntermediate, visionLayers, visionHeads, patchSize, imageSize,
                qkvBias, qkNormalization, visionNorm, 1e-6, "gelu", 0.5);
    }

    /** Short factors rising from 1 to 2 over the d/2 frequencies, like the 128k model's (1.0 to about 2). */
    private List<Double> shortFactors() {
        return factors(1.0, 3);
    }

    /** Long factors rising from 1 to max/original positions, the low frequencies stretched most. */
    private List<Double> longFactors() {
        return factors(Math.max(0.0, (double) maxPositions / originalMaxPositions - 1), 2);
    }

    private List<Double> factors(double rise, int power) {
        int n = hiddenSize / numHeads / 2;
        List<Double> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double t = n == 1 ? 0 : (double) k / (n - 1);
            out.add(1.0 + rise * Math.pow(t, power));
        }
        return out;
    }

    public Builder toBuilder() {
        return new Builder().vocabSize(vocabSize).language(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads)
                .positions(maxPositions, originalMaxPositions).ropeTheta(ropeTheta).ropeScaling(ropeScaling)
                .slidingWindow(slidingWindow).tokens(bosTokenId, eosTokenId)
                .vision(visionHidden, visionIntermediate, visionLayers, visionHeads).patchSize(patchSize)
                .imageSize(imageSize).visionLayout(qkvBias, qkNormalization, visionNorm).dtype(dtype)
                .gateDtype(gateDtype).shards(shards).gate(gate).seed(seed);
    }

    /** Fluent overrides; starts from the {@code tiny} preset. */
    public static final class Builder {
        private int vocabSize = 1024;
        private int hiddenSize = 64;
        private int intermediateSize = 176;
        private int numLayers = 2;
        private int numHeads = 4;
        private int numKvHeads = 2;
        private int maxPositions = 131_072;
        private int originalMaxPositions = 4096;
        private double ropeTheta = 10_000;
        private Phi3Config.RopeScaling.Type ropeScaling = Phi3Config.RopeScaling.Type.SU;
        private Integer slidingWindow = 2047;
        private int bosTokenId = 1;
        private int eosTokenId = 2;
        private int visionHidden = 32;
        private int visionIntermediate = 64;
        private int visionLayers = 2;
        private int visionHeads = 2;
        private int patchSize = 14;
        private int imageSize = 448;
        private boolean qkvBias = true;
        private boolean qkNormalization;
        private InternVitConfig.NormType visionNorm = InternVitConfig.NormType.LAYER_NORM;
        private DType dtype = DType.F32;
        private DType gateDtype = DType.BF16;
        private int shards = 1;
        private TinyCheckpointSpec.Gate gate = TinyCheckpointSpec.Gate.RANDOM;
        private long seed = 42;

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(Phi3Config.RopeScaling.Type v) { ropeScaling = v; return this; }
        public Builder slidingWindow(Integer v) { slidingWindow = v; return this; }
        public Builder imageSize(int v) { imageSize = v; return this; }
        public Builder patchSize(int v) { patchSize = v; return this; }
        public Builder dtype(DType v) { dtype = v; return this; }
        public Builder gateDtype(DType v) { gateDtype = v; return this; }
        public Builder shards(int v) { shards = v; return this; }
        public Builder gate(TinyCheckpointSpec.Gate v) { gate = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public Builder language(int hidden, int intermediate, int layers, int heads, int kvHeads) {
            hiddenSize = hidden;
            intermediateSize = intermediate;
            numLayers = layers;
            numHeads = heads;
            numKvHeads = kvHeads;
            return this;
        }

        /** {@code max_position_embeddings} and {@code original_max_position_embeddings}. */
        public Builder positions(int max, int original) {
            maxPositions = max;
            originalMaxPositions = original;
            return this;
        }

        /** The tokenizer's ids; the vocabulary size must cover the tokenizer written beside the weights. */
        public Builder tokens(int bos, int eos) {
            bosTokenId = bos;
            eosTokenId = eos;
            return this;
        }

        public Builder vision(int hidden, int intermediate, int layers, int heads) {
            visionHidden = hidden;
            visionIntermediate = intermediate;
            visionLayers = layers;
            visionHeads = heads;
            return this;
        }

        /** InternViT-300M is (true, false, LAYER_NORM); InternViT-6B's defaults are (false, true, RMS_NORM). */
        public Builder visionLayout(boolean bias, boolean qkNorm, InternVitConfig.NormType norm) {
            qkvBias = bias;
            qkNormalization = qkNorm;
            visionNorm = norm;
            return this;
        }

        public Phi3CheckpointSpec build() {
            return new Phi3CheckpointSpec(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                    maxPositions, originalMaxPositions, ropeTheta, ropeScaling, slidingWindow, bosTokenId, eosTokenId,
                    visionHidden, visionIntermediate, visionLayers, visionHeads, patchSize, imageSize,
                    qkvBias, qkNormalization, visionNorm, dtype, gateDtype, shards, gate, seed);
        }
    }
}
