package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;

/**
 * One Plora projection (TROL_SPEC §4): a base linear {@code ffn} applied to every token plus a
 * low-rank {@code lora_B(lora_A(x))} added on image tokens only.
 *
 * @param weight (out, in)
 * @param bias   (out) or null when the config says {@code bias: false}
 * @param loraA  (r, in)
 * @param loraB  (out, r)
 */
public record PloraWeights(Tensor weight, Tensor bias, Tensor loraA, Tensor loraB) {
}
