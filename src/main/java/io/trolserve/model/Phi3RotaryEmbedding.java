package io.trolserve.model;

import java.util.List;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Phi-3's rotary embedding (docs/TROL_3_8B.md §4): rotate-half over the full head dimension, as
 * {@link RotaryEmbedding#apply} rotates, with tables built once in float32 and then cast to the
 * model dtype, as the official modules do per call.
 * <pre>
 * plain:    inv_freq_k = 1 / theta^(2k/d)                           cos, sin
 * su, yarn: inv_freq_k = 1 / (short_factor_k * theta^(2k/d))        m cos, m sin
 *           m = sqrt(1 + ln s / ln orig)  (su),  0.1 ln s + 1  (yarn),  s = max_pos / orig;  m = 1 if s &lt;= 1
 * </pre>
 * The magnitude m applies at every length, so every q.k logit is scaled by m^2 (17/12 for the
 * 128k Phi-3-mini), short prompts included.
 *
 * <p>Why scaled sequences stop before {@code original_max_position_embeddings}: the official code
 * picks short or long factors per forward call from that call's largest position, so one prompt
 * forward past the boundary rotates every token with the long factors, while each later decode
 * call keeps the cached keys rotated as they were. A prompt prefilled in chunks cannot know which
 * factors the whole-prompt forward would have used until its last chunk, and its earlier chunks'
 * keys are already in the cache by then. Rather than compute something the official model does
 * not, {@link #checkLength} refuses positions from the boundary on (as {@link RotaryEmbedding}
 * refuses InternLM2's dynamic NTK range). Below it the short factors are exact for every call.
 */
final class Phi3RotaryEmbedding implements RotaryTable, AutoCloseable {

    private final int maxPositions;
    private final boolean scaled;
    private final Tensor cos;   // (maxPositions, d)
    private final Tensor sin;   // (maxPositions, d)

    Phi3RotaryEmbedding(Phi3Config config, Placement placement) {
        this.scaled = config.ropeScaling() != null;
        this.maxPositions = scaled ? Math.min(config.originalMaxPositions(), config.maxPositions()) : config.maxPositions();
        int d = config.headDim();
        try (TensorOptions f32 = new TensorOptions(ScalarType.Float);
             Scalar zero = new Scalar(0.0);
             Scalar end = new Scalar((double) d);
             Scalar step = new Scalar(2.0);
             Scalar base = new Scalar(config.ropeTheta());
             Scalar positions = new Scalar((double) maxPositions);
             Scalar m = new Scalar(magnitude(config));
             Tensor exponents = torch.arange(zero, end, step, f32).div(end);                   // (d/2)
             Tensor powers = torch.pow(base, exponents);                                       // (d/2)
             Tensor factors = scaled ? factors(config.ropeScaling().shortFactor()) : torch.ones_like(powers); // (d/2)
             Tensor invFreq = torch.reciprocal(powers.mul(factors));                           // (d/2)
             Tensor t = torch.arange(positions, f32);                                          // (P)
             Tensor freqs = torch.outer(t, invFreq);                                           // (P, d/2)
             TensorVector halves = new TensorVector(freqs, freqs);
             Tensor angles = torch.cat(halves, 1);                                             // (P, d)
             Tensor cos32 = torch.cos(angles).mul(m);                                          // (P, d)
             Tensor sin32 = torch.sin(angles).mul(m);                                          // (P, d)
             Device device = placement.device()) {
            // closing cos32 is safe even when to() returns it unchanged: both handles count the tensor
            this.cos = cos32.to(device, placement.scalarType());                               // (P, d)
            this.sin = sin32.to(device, placement.scalarType());                               // (P, d)
        }
    }

    /** The factor both cos and sin are multiplied by: 1 for plain RoPE or when max_pos &lt;= orig. */
    static double magnitude(Phi3Config c) {
        if (c.ropeScaling() == null) {
            return 1.0;
        }
        double s = (double) c.maxPositions() / c.originalMaxPositions();
        if (s <= 1.0) {
            return 1.0;
        }
        return switch (c.ropeScaling().type()) {
            case SU -> Math.sqrt(1 + Math.log(s) / Math.log(c.originalMaxPositions()));
            case YARN -> 0.1 * Math.log(s) + 1.0;
        };
    }

    /** The factors as the official code makes them: a float32 tensor of the JSON numbers. */
    private static Tensor factors(List<Double> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i).floatValue();
        }
        return AbstractTensor.create(f);                                                                          // (d/2)
    }

    /** The most positions a sequence may have. */
    int maxPositions() {
        return maxPositions;
    }

    void checkLength(long sequenceLength) {
        if (sequenceLength <= maxPositions) {
            return;
        }
        throw new IllegalArgumentException(scaled
                ? "sequence of " + sequenceLength + " tokens reaches original_max_position_embeddings " + maxPositions
                        + ": from there the official su/yarn RoPE switches to the long factors per forward call,"
                        + " which chunked prefill and cached decoding cannot reproduce exactly (not implemented)"
                : "sequence of " + sequenceLength + " tokens exceeds max_position_embeddings " + maxPositions);
    }

    @Override
    public Tensor cosAt(Tensor positions) {
        return cos.index_select(0, positions);                                                                 // (R, d)
    }

    @Override
    public Tensor sinAt(Tensor positions) {
        return sin.index_select(0, positions);                                                                 // (R, d)
    }

    @Override
    public void close() {
        cos.close();
        sin.close();
    }
}
