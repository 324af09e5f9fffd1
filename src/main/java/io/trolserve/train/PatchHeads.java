package io.trolserve.train;

import java.util.List;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Two linear heads used in training only, never saved: from each projected image token (what the
 * language model reads) they predict the shape kind and the colour under it ({@link PatchLabels}).
 * The answer loss alone reaches the vision tower only through attention the language model has
 * not learned yet, and a from-scratch tower then learns colour (any patch shows it) long before
 * shape; this dense signal teaches it shape from the first step. The served model is unchanged:
 * the heads read its features, they are not part of it.
 */
final class PatchHeads implements AutoCloseable {

    /** How much the patch losses weigh against the answer loss. */
    static final double WEIGHT = 0.5;

    private final Tensor kindWeight;     // (K, H)
    private final Tensor kindBias;       // (K)
    private final Tensor colourWeight;   // (C, H)
    private final Tensor colourBias;     // (C)

    PatchHeads(int hidden) {
        kindWeight = zeros(PatchLabels.KIND_CLASSES, hidden);
        kindBias = zeros(PatchLabels.KIND_CLASSES);
        colourWeight = zeros(PatchLabels.COLOUR_CLASSES, hidden);
        colourBias = zeros(PatchLabels.COLOUR_CLASSES);
    }

    List<Tensor> parameters() {
        return List.of(kindWeight, kindBias, colourWeight, colourBias);
    }

    /**
     * @param features (N*G*G, H) the images' projected tokens, image after image
     * @param labels   one per image, in the same order
     * @return the mean cross-entropy of both heads, summed: ()
     */
    Tensor loss(Tensor features, List<PatchLabels> labels) {
        int cells = labels.get(0).kinds().length;
        long[] kinds = new long[labels.size() * cells];
        long[] colours = new long[labels.size() * cells];
        for (int i = 0; i < labels.size(); i++) {
            System.arraycopy(labels.get(i).kinds(), 0, kinds, i * cells, cells);
            System.arraycopy(labels.get(i).colours(), 0, colours, i * cells, cells);
        }
        Tensor kindLoss = torch.cross_entropy_loss(torch.linear(features, kindWeight, new TensorOptional(kindBias)),
                AbstractTensor.create(kinds));                                                     // ()
        Tensor colourLoss = torch.cross_entropy_loss(torch.linear(features, colourWeight, new TensorOptional(colourBias)),
                AbstractTensor.create(colours));                                                   // ()
        return kindLoss.add(colourLoss).mul(new Scalar(WEIGHT));
    }

    private static Tensor zeros(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        Tensor t = AbstractTensor.create(new float[Math.toIntExact(n)], shape);
        t.requires_grad_(true);
        return t;
    }

    @Override
    public void close() {
        kindWeight.close();
        kindBias.close();
        colourWeight.close();
        colourBias.close();
    }
}
