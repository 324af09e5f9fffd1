package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import io.trolserve.vision.DecodedImage;

/**
 * The oracle: TroL written as plainly as possible, with no cache and no batching. Every call
 * recomputes the whole sequence (prompt and the tokens generated so far) from scratch:
 * <pre>
 * for each layer:  h1 = layer(x) over all N tokens (causal)          -- pass 1
 *                  h2 = layer(h1[:P]) over the P prompt tokens only    -- pass 2
 *                  x[:P] = h1[:P] (1 - s) + h2 s,  x[P:] = h1[P:]      -- gate on prompt tokens
 * </pre>
 * This equals the official behaviour (whole prompt traversed in one forward, then single-pass
 * decoding from pass-1 K/V): a generated token's pass 1 attends to the pass-1 keys of every
 * earlier token, which is what pass 1 over all N tokens computes. Attention is an explicit
 * softmax(q k^T / sqrt(d)) v with repeated K/V heads; Plora adds its delta through a 0/1 mask;
 * RoPE is recomputed from its formula. CPU float32 only.
 */
final class ReferenceTrol {

    private final TrolWeights w;
    private final TrolConfig c;

    ReferenceTrol(TrolWeights weights) {
        this.w = weights;
        this.c = weights.config();
    }

    /** What a prompt row gets from each layer: the traversal mix, one pass, or two passes. */
    enum Mode { TRAVERSED, SINGLE_PASS, DOUBLE_PASS }

    /** Greedy generation; returns the tokens and, per token, the logits it was chosen from. */
    Generation greedy(int[] prompt, List<DecodedImage> images, int maxNewTokens, int... stopIds) {
        return greedy(Mode.TRAVERSED, prompt, images, maxNewTokens, stopIds);
    }

    Generation greedy(Mode mode, int[] prompt, List<DecodedImage> images, int maxNewTokens, int... stopIds) {
        try (PointerScope scope = new PointerScope()) {
            Tensor features = images.isEmpty() ? null : imageFeatures(images);
            List<Integer> generated = new ArrayList<>();
            List<float[]> logits = new ArrayList<>();
            for (int step = 0; step < maxNewTokens; step++) {
                float[] row = nextLogits(mode, prompt, features, generated.stream().mapToInt(Integer::intValue).toArray());
                logits.add(row);
                int token = argmax(row);
                generated.add(token);
                if (contains(stopIds, token)) {
                    break;
                }
            }
            return new Generation(generated.stream().mapToInt(Integer::intValue).toArray(), logits);
        }
    }

    record Generation(int[] tokens, List<float[]> logits) {
    }

    /** Logits of the token that follows prompt + generated; features (I, H) or null. */
    float[] nextLogits(Mode mode, int[] prompt, Tensor features, int[] generated) {
        try (PointerScope scope = new PointerScope()) {
            int p = prompt.length;
            int n = p + generated.length;
            long[] ids = new long[n];
            float[] imageMask = new float[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i < p ? prompt[i] : generated[i - p];
                imageMask[i] = ids[i] == c.imageTokenId() ? 1f : 0f;
            }
            Tensor x = torch.embedding(w.embedTokens(), AbstractTensor.create(ids));          // (N, H)
            x = withImages(x, ids, features);
            Tensor mask = AbstractTensor.create(imageMask).unsqueeze(1);                      // (N, 1)
            for (DecoderLayerWeights layer : w.layers()) {
                Tensor h1 = layer(layer, x, mask);                                              // (N, H)
                Tensor h1p = h1.narrow(0, 0, p);                                                // (P, H)
                Tensor h2 = layer(layer, h1p, mask.narrow(0, 0, p));                            // (P, H)
                Tensor s = torch.tanh(h1p.matmul(layer.gateWeight().t()).add(layer.gateBias()))
                        .mul(new Scalar(0.5)).add(new Scalar(0.5));                           // (P, 1)
                Tensor one = torch.ones_like(s);
                Tensor mixed = h1p.mul(one.sub(s)).add(h2.mul(s));                            // (P, H)
                // the official forward traverses only when given more than one token
                Tensor promptRows = p == 1 ? h1p : switch (mode) {
                    case TRAVERSED -> mixed;
                    case SINGLE_PASS -> h1p;
                    case DOUBLE_PASS -> h2;
                };
                x = n == p ? promptRows : torch.cat(new TensorVector(promptRows, h1.narrow(0, p, n - p)), 0);
            }
            Tensor lastRow = rmsNorm(x.narrow(0, n - 1, 1), w.finalNorm());                    // (1, H)
            Tensor logits = lastRow.matmul(w.output().t()).contiguous();                        // (1, V)
            float[] out = new float[c.vocabSize()];
            logits.data_ptr_float().get(out);
            return out;
        }
    }

    private Tensor withImages(Tensor x, long[] ids, Tensor features) {
        if (features == null) {
            return x;
        }
        List<Tensor> rows = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < ids.length; i++) {
            rows.add(ids[i] == c.imageTokenId() ? features.narrow(0, next++, 1) : x.narrow(0, i, 1));
        }
        return torch.cat(new TensorVector(rows.toArray(new Tensor[0])), 0);
    }

    /** Features of the images, in order: (images * G*G, H). */
    Tensor imageFeatures(List<DecodedImage> images) {
        TensorVector perImage = new TensorVector();
        for (DecodedImage img : images) {
            perImage.push_back(imageFeatures(img));
        }
        return torch.cat(perImage, 0);
    }

    /** One decoder layer over a whole sequence from position 0, causal. */
    private Tensor layer(DecoderLayerWeights l, Tensor x, Tensor imageMask) {
        long n = x.size(0);
        int d = c.headDim();
        int g = c.groups();
        Tensor normed = rmsNorm(x, l.attentionNorm());
        Tensor qkv = plora(l.wqkv(), normed, imageMask).view(n, c.numKvHeads(), g + 2, d);
        Tensor q = qkv.narrow(2, 0, g).reshape(n, c.numHeads(), d);                             // (N, nH, d)
        Tensor k = qkv.select(2, g);                                                           // (N, nKV, d)
        Tensor v = qkv.select(2, g + 1);                                                       // (N, nKV, d)
        Tensor[] cosSin = rotary(n, d);
        q = rotate(q, cosSin);
        k = rotate(k, cosSin);
        Tensor kRep = k.repeat_interleave(g, new org.bytedeco.pytorch.LongOptional(1), new org.bytedeco.pytorch.LongOptional()).transpose(0, 1);                               // (nH, N, d)
        Tensor vRep = v.repeat_interleave(g, new org.bytedeco.pytorch.LongOptional(1), new org.bytedeco.pytorch.LongOptional()).transpose(0, 1);                               // (nH, N, d)
        Tensor scores = q.transpose(0, 1).matmul(kRep.transpose(1, 2)).div(new Scalar(Math.sqrt(d))); // (nH, N, N)
        Tensor causal = torch.triu(torch.ones(new long[] {n, n}, new TensorOptions(ScalarType.Bool)), 1);
        scores = scores.masked_fill(causal, new Scalar(Double.NEGATIVE_INFINITY));
        Tensor attended = torch.softmax(scores, -1).matmul(vRep)                                // (nH, N, d)
                .transpose(0, 1).reshape(n, c.numHeads() * d);                                // (N, nH*d)
        Tensor h = x.add(plora(l.wo(), attended, imageMask));
        Tensor m = rmsNorm(h, l.ffnNorm());
        Tensor gated = torch.silu(plora(l.w1(), m, imageMask)).mul(plora(l.w3(), m, imageMask));
        return h.add(plora(l.w2(), gated, imageMask));
    }

    private Tensor plora(PloraWeights p, Tensor x, Tensor imageMask) {
        Tensor base = x.matmul(p.weight().t());
        if (p.bias() != null) {
            base = base.add(p.bias());
        }
        Tensor delta = x.matmul(p.loraA().t()).matmul(p.loraB().t());
        return base.add(delta.mul(imageMask));
    }

    private Tensor rmsNorm(Tensor x, Tensor weight) {
        Tensor variance = x.pow(new Scalar(2.0)).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        return weight.mul(x.mul(torch.rsqrt(variance.add(new Scalar(c.rmsNormEps())))));
    }

    /** cos and sin of pos * theta^(-2k/d), each (N, 1, d) with the halves repeated. */
    private Tensor[] rotary(long n, int d) {
        float[] cos = new float[(int) n * d];
        float[] sin = new float[(int) n * d];
        for (int pos = 0; pos < n; pos++) {
            for (int k = 0; k < d / 2; k++) {
                float invFreq = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * k) / d));
                float angle = pos * invFreq;
                cos[pos * d + k] = cos[pos * d + k + d / 2] = (float) Math.cos(angle);
                sin[pos * d + k] = sin[pos * d + k + d / 2] = (float) Math.sin(angle);
            }
        }
        return new Tensor[] {AbstractTensor.create(cos, n, 1, d), AbstractTensor.create(sin, n, 1, d)};
    }

    private static Tensor rotate(Tensor x, Tensor[] cosSin) {
        long half = x.size(-1) / 2;
        Tensor rotated = torch.cat(new TensorVector(x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)), -1);
        return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
    }

    /** CLIP features of one image, projected: (G*G, H). */
    Tensor imageFeatures(DecodedImage img) {
        VisionConfig vc = c.vision();
        VisionWeights v = w.vision();
        Tensor pixels = AbstractTensor.create(img.rgb(), false, img.height(), img.width(), 3)
                .permute(2, 0, 1).unsqueeze(0).contiguous();                                   // (1, 3, h, w) uint8
        Tensor resized = torch.upsample_bicubic2d(pixels, new long[] {vc.imageSize(), vc.imageSize()}, false)
                .to(ScalarType.Float);                                                         // (1, 3, S, S)
        Tensor mean = AbstractTensor.create(new float[] {0.48145466f, 0.4578275f, 0.40821073f}, 1, 3, 1, 1)
                .mul(new Scalar(255.0));
        Tensor std = AbstractTensor.create(new float[] {0.26862954f, 0.26130258f, 0.27577711f}, 1, 3, 1, 1)
                .mul(new Scalar(255.0));
        Tensor normalised = resized.sub(mean).div(std);
        Tensor patches = torch.conv2d(normalised, v.patchEmbedding(), new org.bytedeco.pytorch.TensorOptional(),
                new long[] {vc.patchSize(), vc.patchSize()}, new long[] {0, 0}, new long[] {1, 1}, 1); // (1, C, G, G)
        Tensor tokens = patches.flatten(2, 3).squeeze(0).t();                                  // (G*G, C)
        Tensor x = torch.cat(new TensorVector(v.classEmbedding().unsqueeze(0), tokens), 0)
                .add(v.positionEmbedding());                                                   // (G*G+1, C)
        x = layerNorm(x, v.preNormWeight(), v.preNormBias());
        long ch = vc.hiddenSize();
        for (VisionWeights.Layer l : v.layers()) {
            Tensor h = layerNorm(x, l.norm1Weight(), l.norm1Bias());
            Tensor q = h.matmul(l.qkvWeight().narrow(0, 0, ch).t()).add(l.qkvBias().narrow(0, 0, ch));
            Tensor k = h.matmul(l.qkvWeight().narrow(0, ch, ch).t()).add(l.qkvBias().narrow(0, ch, ch));
            Tensor val = h.matmul(l.qkvWeight().narrow(0, 2 * ch, ch).t()).add(l.qkvBias().narrow(0, 2 * ch, ch));
            long s = x.size(0);
            Tensor qh = q.view(s, vc.numHeads(), vc.headDim()).transpose(0, 1);                // (heads, S, hd)
            Tensor kh = k.view(s, vc.numHeads(), vc.headDim()).transpose(0, 1);
            Tensor vh = val.view(s, vc.numHeads(), vc.headDim()).transpose(0, 1);
            Tensor probs = torch.softmax(qh.matmul(kh.transpose(1, 2)).div(new Scalar(Math.sqrt(vc.headDim()))), -1);
            Tensor attended = probs.matmul(vh).transpose(0, 1).reshape(s, ch);
            x = x.add(attended.matmul(l.outWeight().t()).add(l.outBias()));
            Tensor m = layerNorm(x, l.norm2Weight(), l.norm2Bias());
            Tensor up = m.matmul(l.fc1Weight().t()).add(l.fc1Bias());
            Tensor act = up.mul(torch.sigmoid(up.mul(new Scalar(1.702))));
            x = x.add(act.matmul(l.fc2Weight().t()).add(l.fc2Bias()));
        }
        Tensor features = x.narrow(0, 1, x.size(0) - 1);                                       // (G*G, C)
        Tensor hidden = torch.gelu(features.matmul(v.projectorInWeight().t()).add(v.projectorInBias()), "none");
        return hidden.matmul(v.projectorOutWeight().t()).add(v.projectorOutBias());            // (G*G, H)
    }

    private Tensor layerNorm(Tensor x, Tensor weight, Tensor bias) {
        Tensor mean = x.mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor centred = x.sub(mean);
        Tensor variance = centred.pow(new Scalar(2.0)).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        return centred.mul(torch.rsqrt(variance.add(new Scalar(c.vision().layerNormEps())))).mul(weight).add(bias);
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
