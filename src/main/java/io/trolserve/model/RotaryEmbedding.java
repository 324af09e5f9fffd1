package io.trolserve.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Rotary position embedding, rotate-half convention (TROL_SPEC §4). The cos/sin tables are built
 * once, in float32 as the official module does, then cast to the model dtype; a step gathers the
 * rows of its tokens' absolute positions.
 *
 * <p>Dynamic NTK scaling changes theta only for sequences longer than
 * {@code max_position_embeddings}; we do not implement it and refuse such sequences instead
 * ({@link #checkLength}), so every accepted sequence is computed exactly.
 */
final class RotaryEmbedding implements RotaryTable, AutoCloseable {

    private final int maxPositions;
    private final Tensor cos;   // (maxPositions, d)
    private final Tensor sin;   // (maxPositions, d)

    RotaryEmbedding(TrolConfig config, Placement placement) {
        this.maxPositions = config.maxPositions();
        int d = config.headDim();
        try (TensorOptions f32 = new TensorOptions(ScalarType.Float);
             Scalar base = new Scalar(config.ropeTheta());
             Scalar end = new Scalar((double) d);
             Scalar step = new Scalar(2.0);
             Scalar zero = new Scalar(0.0);
             Scalar dim = new Scalar((double) d);
             Scalar positions = new Scalar((double) maxPositions);
             Tensor exponents = torch.arange(zero, end, step, f32).div(dim);       // (d/2)
             Tensor invFreq = torch.reciprocal(torch.pow(base, exponents));        // (d/2)
             Tensor t = torch.arange(positions, f32);                              // (P)
             Tensor freqs = torch.outer(t, invFreq);                               // (P, d/2)
             TensorVector halves = new TensorVector(freqs, freqs);
             Tensor angles = torch.cat(halves, 1);                                 // (P, d)
             Device device = placement.device()) {
            this.cos = torch.cos(angles).to(device, placement.scalarType());
            this.sin = torch.sin(angles).to(device, placement.scalarType());
        }
    }

    int maxPositions() {
        return maxPositions;
    }

    void checkLength(long sequenceLength) {
        if (sequenceLength > maxPositions) {
            throw new IllegalArgumentException("sequence of " + sequenceLength + " tokens exceeds max_position_embeddings "
                    + maxPositions + " (dynamic NTK scaling beyond it is not implemented)");
        }
    }

    /** cos rows for the given positions: (R, d). */
    @Override
    public Tensor cosAt(Tensor positions) {
        return cos.index_select(0, positions);
    }

    /** sin rows for the given positions: (R, d). */
    @Override
    public Tensor sinAt(Tensor positions) {
        return sin.index_select(0, positions);
    }

    /**
     * x' = x cos + rotate_half(x) sin, rotate_half(x) = cat(-x2, x1), over the last dimension.
     *
     * @param x   (R, ..., d)
     * @param cos (R, 1, ..., d), broadcast over the head dimensions
     */
    static Tensor apply(Tensor x, Tensor cos, Tensor sin) {
        long half = x.size(-1) / 2;
        Tensor x1 = x.narrow(-1, 0, half);
        Tensor x2 = x.narrow(-1, half, half);
        Tensor rotated = torch.cat(new TensorVector(x2.neg(), x1), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    @Override
    public void close() {
        cos.close();
        sin.close();
    }
}
