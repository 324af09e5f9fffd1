package io.trolserve.model;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TroL-3.8B's vision path (docs/TROL_3_8B.md §2): InternViT (patch conv with bias, class token,
 * position table, pre-norm layers with layer scale, no final norm), the class row dropped, the 2x2
 * pixel shuffle, then the projector LayerNorm, Linear, GELU, Linear. Computes in the weights'
 * dtype on their device; every result belongs to the caller's PointerScope.
 */
public final class InternVitTower {

    /** The projector's LayerNorm is built with PyTorch's default eps, not the config's. */
    private static final double PROJECTOR_NORM_EPS = 1e-5;

    private final InternVitWeights w;
    private final InternVitConfig c;

    public InternVitTower(InternVitWeights w, InternVitConfig c) {
        this.w = w;
        this.c = c;
    }

    /**
     * @param pixels (N, 3, S', S') normalised tiles; S' = S uses the stored position table as is
     * @return (N * (S'/2P)^2, H) projected image tokens, tile after tile: 256 per 448 px tile
     */
    public Tensor features(Tensor pixels) {
        return project(shuffled(pixels));
    }

    /** The encoder's patch rows, pixel-shuffled: (N, (S'/2P)^2, 4C), the projector's input. */
    Tensor shuffled(Tensor pixels) {
        Tensor x = embeddings(pixels);                                                      // (N, 1+g*g, C)
        for (InternVitWeights.Layer layer : w.layers()) {
            Tensor in = x;
            x = Ops.scoped(() -> encoderLayer(in, layer));   // one layer's temporaries at a time (N, 1+g*g, C)
            in.close();
        }
        long g = pixels.size(2) / c.patchSize();                                           // the conv floors
        return pixelShuffle(x.narrow(1, 1, g * g).reshape(x.size(0), g, g, c.hiddenSize())); // (N, g*g/4, 4C)
    }

    /** @return (N * T, H) from (N, T, 4C) */
    Tensor project(Tensor shuffled) {
        Tensor h = Ops.layerNorm(shuffled, w.projectorNormWeight(), w.projectorNormBias(),
                PROJECTOR_NORM_EPS);                                                          // (N, T, 4C)
        h = torch.gelu(Ops.linear(h, w.projectorInWeight(), w.projectorInBias()), "none");   // (N, T, H)
        Tensor out = Ops.linear(h, w.projectorOutWeight(), w.projectorOutBias());             // (N, T, H)
        return out.reshape(-1, out.size(-1));                                                 // (N*T, H)
    }

    /**
     * The official pixel shuffle at ratio 0.5 (its two view-permutes, §2 step 7) in one permute:
     * token (r, c) holds patches (2r+t, 2c+s) at channels t*2C + s*C + ch, i.e. its 2x2 block in
     * the order top-left, top-right, bottom-left, bottom-right.
     *
     * @param x (N, g, g, C) patch rows by (row, column), g even
     * @return (N, g*g/4, 4C), tokens row-major over the (g/2, g/2) grid
     */
    static Tensor pixelShuffle(Tensor x) {
        long n = x.size(0);
        long half = x.size(1) / 2;
        long ch = x.size(3);
        if (x.size(1) != x.size(2) || x.size(1) % 2 != 0) {
            throw new IllegalArgumentException("pixel shuffle needs an even square grid, got "
                    + x.size(1) + "x" + x.size(2));
        }
        Tensor blocks = x.reshape(n, half, 2, half, 2, ch);                                  // (N, r, t, c, s, C)
        return blocks.permute(0, 1, 3, 2, 4, 5).reshape(n, half * half, 4 * ch);           // (N, r*c, t*s*C)
    }

    private Tensor embeddings(Tensor pixels) {
        long n = pixels.size(0);
        long p = c.patchSize();
        if (pixels.size(2) != pixels.size(3)) {
            throw new IllegalArgumentException("tiles must be square, got " + pixels.size(2) + "x" + pixels.size(3));
        }
        Tensor patches = torch.conv2d(pixels, w.patchWeight(), new TensorOptional(w.patchBias()),
                new long[] {p, p}, new long[] {0, 0}, new long[] {1, 1}, 1);                  // (N, C, g, g)
        Tensor tokens = patches.flatten(2, 3).transpose(1, 2);                              // (N, g*g, C)
        Tensor cls = w.classEmbedding().expand(n, 1, c.hiddenSize());                       // (N, 1, C)
        return torch.cat(new TensorVector(cls, tokens), 1).add(positions(patches.size(2))); // (N, 1+g*g, C)
    }

    /**
     * The position table for a g x g grid: the stored one when g is its grid (bicubic resizing to
     * the same size copies), else its grid part resized bicubically in float32 (align_corners
     * false) and cast back, the class row unchanged, as the official {@code _get_pos_embed}.
     */
    private Tensor positions(long g) {
        Tensor stored = w.positionEmbedding();                                              // (1, 1+G*G, C)
        long grid = c.gridSize();
        if (g == grid) {
            return stored;
        }
        Tensor table = stored.narrow(1, 1, grid * grid).to(ScalarType.Float)
                .reshape(1, grid, grid, c.hiddenSize()).permute(0, 3, 1, 2);                 // (1, C, G, G)
        Tensor resized = torch.upsample_bicubic2d(table, new long[] {g, g}, false)         // (1, C, g, g)
                .reshape(1, c.hiddenSize(), g * g).permute(0, 2, 1).to(stored.scalar_type()); // (1, g*g, C)
        return torch.cat(new TensorVector(stored.narrow(1, 0, 1), resized), 1);             // (1, 1+g*g, C)
    }

    private Tensor encoderLayer(Tensor x, InternVitWeights.Layer l) {
        Tensor attended = attention(norm(x, l.norm1Weight(), l.norm1Bias()), l);             // (N, T, C)
        Tensor h = x.add(attended.mul(l.ls1()));                                            // (N, T, C)
        Tensor hidden = torch.gelu(Ops.linear(norm(h, l.norm2Weight(), l.norm2Bias()), l.fc1Weight(), l.fc1Bias()),
                "none");                                                                    // (N, T, Cv)
        return h.add(Ops.linear(hidden, l.fc2Weight(), l.fc2Bias()).mul(l.ls2()));           // (N, T, C)
    }

    /** Non-causal multi-head attention; q and k RMS-normalised over all C channels when enabled. */
    private Tensor attention(Tensor x, InternVitWeights.Layer l) {
        long ch = c.hiddenSize();
        Tensor qkv = Ops.linear(x, l.qkvWeight(), l.qkvBias());                              // (N, T, 3C)
        Tensor q = qkv.narrow(2, 0, ch);                                                    // (N, T, C)
        Tensor k = qkv.narrow(2, ch, ch);                                                   // (N, T, C)
        if (c.qkNormalization()) {
            q = Ops.rmsNorm(q, l.qNorm(), c.layerNormEps());
            k = Ops.rmsNorm(k, l.kNorm(), c.layerNormEps());
        }
        Tensor v = qkv.narrow(2, 2 * ch, ch);                                               // (N, T, C)
        Tensor out = torch.scaled_dot_product_attention(heads(q), heads(k), heads(v), new TensorOptional(),
                0.0, false, new DoubleOptional(1.0 / Math.sqrt(c.headDim())), false);          // (N, hv, T, hd)
        Tensor merged = out.transpose(1, 2).reshape(x.size(0), x.size(1), ch);              // (N, T, C)
        return Ops.linear(merged, l.projWeight(), l.projBias());                            // (N, T, C)
    }

    /** (N, T, C) to (N, hv, T, hd): head h owns channels [h*hd, (h+1)*hd). */
    private Tensor heads(Tensor t) {
        return t.reshape(t.size(0), t.size(1), c.numHeads(), c.headDim()).transpose(1, 2);
    }

    /** norm1/norm2 as the config's norm_type builds them (RMSNorm has no bias). */
    private Tensor norm(Tensor x, Tensor weight, Tensor bias) {
        return c.normType() == InternVitConfig.NormType.LAYER_NORM
                ? Ops.layerNorm(x, weight, bias, c.layerNormEps())
                : Ops.rmsNorm(x, weight, c.layerNormEps());
    }
}
