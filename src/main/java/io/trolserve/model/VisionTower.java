package io.trolserve.model;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * CLIP ViT encoder and the TroL projector (TROL_SPEC §2, steps 4-6): patch convolution, class
 * token, position embeddings, pre-norm, pre-norm encoder layers; features are the last layer's
 * output before {@code post_layernorm}, class row dropped, then Linear-GELU-Linear to the LM width.
 */
final class VisionTower {

    private final VisionWeights w;
    private final VisionConfig c;

    VisionTower(VisionWeights w, VisionConfig c) {
        this.w = w;
        this.c = c;
    }

    /**
     * @param pixels (N, 3, S, S) normalised images
     * @return (N, G*G, H) projected image features
     */
    Tensor encode(Tensor pixels) {
        long n = pixels.size(0);
        Tensor patches = torch.conv2d(pixels, w.patchEmbedding(), new TensorOptional(),
                new long[] {c.patchSize(), c.patchSize()}, new long[] {0, 0}, new long[] {1, 1}, 1); // (N, C, G, G)
        Tensor tokens = patches.flatten(2, 3).transpose(1, 2);                              // (N, G*G, C)
        Tensor cls = w.classEmbedding().view(1, 1, -1).expand(n, 1, c.hiddenSize());        // (N, 1, C)
        Tensor x = torch.cat(new TensorVector(cls, tokens), 1).add(w.positionEmbedding());  // (N, G*G+1, C)
        x = Ops.layerNorm(x, w.preNormWeight(), w.preNormBias(), c.layerNormEps());
        for (VisionWeights.Layer layer : w.layers()) {
            Tensor in = x;
            x = Ops.scoped(() -> encoderLayer(in, layer));   // one layer's temporaries at a time (N, G*G+1, C)
            in.close();
        }
        Tensor features = x.narrow(1, 1, x.size(1) - 1);                                    // (N, G*G, C)
        Tensor hidden = torch.gelu(Ops.linear(features, w.projectorInWeight(), w.projectorInBias()), "none");
        return Ops.linear(hidden, w.projectorOutWeight(), w.projectorOutBias());            // (N, G*G, H)
    }

    private Tensor encoderLayer(Tensor x, VisionWeights.Layer l) {
        long n = x.size(0);
        long s = x.size(1);
        Tensor h = Ops.layerNorm(x, l.norm1Weight(), l.norm1Bias(), c.layerNormEps());
        Tensor qkv = Ops.linear(h, l.qkvWeight(), l.qkvBias())
                .view(n, s, 3, c.numHeads(), c.headDim()).permute(2, 0, 3, 1, 4);            // (3, N, heads, S, hd)
        Tensor attended = torch.scaled_dot_product_attention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2),
                new TensorOptional(), 0.0, false, new DoubleOptional(1.0 / Math.sqrt(c.headDim())), false); // (N, heads, S, hd)
        Tensor merged = attended.transpose(1, 2).reshape(n, s, c.hiddenSize());             // (N, S, C)
        x = x.add(Ops.linear(merged, l.outWeight(), l.outBias()));
        Tensor h2 = Ops.layerNorm(x, l.norm2Weight(), l.norm2Bias(), c.layerNormEps());
        Tensor mlp = Ops.linear(Ops.quickGelu(Ops.linear(h2, l.fc1Weight(), l.fc1Bias())), l.fc2Weight(), l.fc2Bias());
        return x.add(mlp);
    }
}
