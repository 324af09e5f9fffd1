package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;

/**
 * Weights of one InternLM2 decoder layer plus its TroL gate.
 *
 * @param gateWeight (1, H): gate_i of TROL_SPEC §5, a Linear(H -> 1)
 * @param gateBias   (1)
 */
public record DecoderLayerWeights(
        Tensor attentionNorm,
        PloraWeights wqkv,
        PloraWeights wo,
        Tensor ffnNorm,
        PloraWeights w1,
        PloraWeights w3,
        PloraWeights w2,
        Tensor gateWeight,
        Tensor gateBias) {
}
