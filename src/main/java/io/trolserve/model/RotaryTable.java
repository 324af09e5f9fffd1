package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A rotary embedding's cos and sin rows by absolute position, the rows a pass gathers for its
 * tokens ({@link PassRows}): InternLM2's {@link RotaryEmbedding} and Phi-3's
 * {@link Phi3RotaryEmbedding} differ only in how their tables are built.
 */
interface RotaryTable {

    /** @return (R, d) cos rows of the given int64 positions (R) */
    Tensor cosAt(Tensor positions);

    /** @return (R, d) sin rows */
    Tensor sinAt(Tensor positions);
}
