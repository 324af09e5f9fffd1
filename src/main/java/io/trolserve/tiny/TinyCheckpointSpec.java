package io.trolserve.tiny;

import io.trolserve.model.checkpoint.DType;

/**
 * Dimensions of a checkpoint written by {@code init-tiny}: the published TroL layout with seeded
 * random weights, small enough for tests and CPU demos, or at TroL-1.8B's real size. Presets name the shapes the tests and
 * benchmarks use; {@link #toBuilder()} overrides any field.
 *
 * @param positionRows rows of the stored CLIP position table: grid^2+1, or another n^2+1 (e.g.
 *                     577) to exercise the load-time resize
 * @param gate         how the traversal gates are set
 * @param shards       1 writes model.safetensors; more writes model-0000k-of-0000n files + index
 * @param depthScaledResiduals scale the projections that write into the residual stream by
 *                     1/sqrt(2 x layers), which deep presets need to keep tokens distinct
 */
public record TinyCheckpointSpec(
        int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
        int ploraRank, int maxPositions, boolean bias, double ropeTheta,
        int visionHidden, int visionIntermediate, int visionLayers, int visionHeads, int patchSize, int imageSize,
        int positionRows, DType dtype, int shards, Gate gate, long seed, boolean depthScaledResiduals) {

    /** Gate settings: random values, or forced shut (s = 0) or open (s = 1). */
    public enum Gate { RANDOM, CLOSED, OPEN }

    /** Real image-token count (1225 at 490 px) with a tiny network; the default of init-tiny. */
    public static TinyCheckpointSpec tiny() {
        return new Builder().build();
    }

    /** 16 image tokens per image (56 px): the quickest shape, for tests that run many generations. */
    public static TinyCheckpointSpec micro() {
        return new Builder().visionLayers(1).imageSize(56).positionRows(17).maxPositions(2048).ropeTheta(10_000)
                .seed(7).build();
    }

    /** Hidden 1024, 8 layers, Plora rank 256: the benchmarks' medium CPU configuration. */
    public static TinyCheckpointSpec medium() {
        return new Builder().vocabSize(8192).language(1024, 4096, 8, 16, 8).ploraRank(256)
                .vision(256, 1024, 4, 4).build();
    }

    /**
     * TroL-1.8B's exact shapes: InternLM2-1.8B (hidden 2048, 24 layers, 16/8 heads, intermediate
     * 8192, vocab 92544, 32768 positions, rope theta 1e6) with Plora rank 256, and CLIP ViT-L/14
     * (1024 wide, 24 layers, 16 heads, MLP 4096) fed 490 px images, its 577-row position table
     * resized to 35x35 at load. bfloat16 in two shards with an index: about 4.9 GB on disk.
     */
    public static TinyCheckpointSpec trol18b() {
        return new Builder().vocabSize(92_544).language(2048, 8192, 24, 16, 8).ploraRank(256)
                .maxPositions(32_768).ropeTheta(1_000_000)
                .vision(1024, 4096, 24, 16).patchSize(14).imageSize(490).positionRows(24 * 24 + 1)
                .dtype(DType.BF16).shards(2).depthScaledResiduals(true).build();
    }

    /** The preset names init-tiny accepts. */
    public static final String PRESETS = "tiny, micro, medium, trol-1.8b";

    public static TinyCheckpointSpec preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "micro" -> micro();
            case "medium" -> medium();
            case "trol-1.8b" -> trol18b();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (" + PRESETS + ")");
        };
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.language(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads);
        b.ploraRank = ploraRank;
        b.maxPositions = maxPositions;
        b.bias = bias;
        b.ropeTheta = ropeTheta;
        b.vision(visionHidden, visionIntermediate, visionLayers, visionHeads);
        b.patchSize = patchSize;
        b.imageSize = imageSize;
        b.positionRows = positionRows;
        b.dtype = dtype;
        b.shards = shards;
        b.gate = gate;
        b.seed = seed;
        b.depthScaledResiduals = depthScaledResiduals;
        return b;
    }

    /** Fluent overrides; starts from the {@code tiny} preset. */
    public static final class Builder {
        private int vocabSize = 1024;
        private int hiddenSize = 64;
        private int intermediateSize = 176;
        private int numLayers = 2;
        private int numHeads = 4;
        private int numKvHeads = 2;
        private int ploraRank = 8;
        private int maxPositions = 4096;
        private boolean bias;
        private double ropeTheta = 1_000_000;
        private int visionHidden = 32;
        private int visionIntermediate = 64;
        private int visionLayers = 2;
        private int visionHeads = 2;
        private int patchSize = 14;
        private int imageSize = 490;
        private int positionRows = 35 * 35 + 1;
        private DType dtype = DType.F32;
        private int shards = 1;
        private Gate gate = Gate.RANDOM;
        private long seed = 42;
        private boolean depthScaledResiduals;

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder ploraRank(int v) { ploraRank = v; return this; }
        public Builder maxPositions(int v) { maxPositions = v; return this; }
        public Builder bias(boolean v) { bias = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder imageSize(int v) { imageSize = v; return this; }
        public Builder patchSize(int v) { patchSize = v; return this; }
        public Builder positionRows(int v) { positionRows = v; return this; }
        public Builder visionLayers(int v) { visionLayers = v; return this; }
        public Builder dtype(DType v) { dtype = v; return this; }
        public Builder shards(int v) { shards = v; return this; }
        public Builder gate(Gate v) { gate = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder depthScaledResiduals(boolean v) { depthScaledResiduals = v; return this; }

        public Builder language(int hidden, int intermediate, int layers, int heads, int kvHeads) {
            hiddenSize = hidden;
            intermediateSize = intermediate;
            numLayers = layers;
            numHeads = heads;
            numKvHeads = kvHeads;
            return this;
        }

        public Builder vision(int hidden, int intermediate, int layers, int heads) {
            visionHidden = hidden;
            visionIntermediate = intermediate;
            visionLayers = layers;
            visionHeads = heads;
            return this;
        }

        public TinyCheckpointSpec build() {
            return new TinyCheckpointSpec(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                    ploraRank, maxPositions, bias, ropeTheta, visionHidden, visionIntermediate, visionLayers,
                    visionHeads, patchSize, imageSize, positionRows, dtype, shards, gate, seed, depthScaledResiduals);
        }
    }
}
