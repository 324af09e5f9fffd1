package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;

/**
 * Partial LoRA (TROL_SPEC §4, the official {@code LoRA} module): {@code ffn(x)} for every token plus
 * {@code lora_B(lora_A(x))} on image tokens only. The scale alpha/r is 1 in every TroL checkpoint
 * (alpha = r = 256), so no multiplication is needed.
 */
final class Plora {

    private Plora() {
    }

    /**
     * @param x         (R, in)
     * @param imageRows int64 row indices of image tokens, or null
     * @return (R, out)
     */
    static Tensor apply(PloraWeights w, Tensor x, Tensor imageRows) {
        Tensor y = Ops.linear(x, w.weight(), w.bias());                               // (R, out)
        if (imageRows != null) {
            Tensor imageX = x.index_select(0, imageRows);                             // (I, in)
            Tensor delta = Ops.linear(Ops.linear(imageX, w.loraA(), null), w.loraB(), null); // (I, out)
            y.index_add_(0, imageRows, delta);
        }
        return y;
    }
}
