package io.trolserve.model;

import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * CLIP vision tower and projector weights (TROL_SPEC §2).
 *
 * @param positionEmbedding (grid^2 + 1, C), already resized to the grid when the checkpoint held
 *                          another size
 */
public record VisionWeights(
        Tensor classEmbedding,
        Tensor patchEmbedding,
        Tensor positionEmbedding,
        Tensor preNormWeight,
        Tensor preNormBias,
        List<Layer> layers,
        Tensor projectorInWeight,
        Tensor projectorInBias,
        Tensor projectorOutWeight,
        Tensor projectorOutBias) {

    /**
     * One pre-norm CLIP encoder layer.
     *
     * @param qkvWeight (3C, C): q_proj, k_proj and v_proj stacked at load time so that one matmul
     *                  serves all three
     * @param qkvBias   (3C)
     */
    public record Layer(
            Tensor norm1Weight, Tensor norm1Bias,
            Tensor qkvWeight, Tensor qkvBias,
            Tensor outWeight, Tensor outBias,
            Tensor norm2Weight, Tensor norm2Bias,
            Tensor fc1Weight, Tensor fc1Bias,
            Tensor fc2Weight, Tensor fc2Bias) {
    }
}
