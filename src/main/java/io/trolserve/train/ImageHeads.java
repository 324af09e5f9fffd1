package io.trolserve.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.bytedeco.javacpp.PointerScope;

import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.TrolModel;

/**
 * Linear heads used in training only, never saved, each reading every projected image token
 * (what the language model reads):
 * <ul>
 *   <li>patch heads: the shape kind and the colour under that token ({@link PatchLabels}). The
 *       answer loss alone reaches the vision tower only through attention the language model has
 *       not learned yet, and a from-scratch tower then learns colour (any patch shows it) long
 *       before shape; this dense signal teaches it shape from the first step.</li>
 *   <li>scene heads: what the whole picture holds ({@link SceneLabels}: counts, which colour and
 *       kind are present, the kinds at either end), the same targets on every token of the image.</li>
 * </ul>
 * The served model is unchanged: the heads read its features, they are not part of it.
 */
final class ImageHeads implements AutoCloseable {

    /** How much the patch losses, and the scene losses, weigh against the answer loss. */
    static final double PATCH_WEIGHT = 0.5;
    static final double SCENE_WEIGHT = 0.5;
    /**
     * How much more the colour-and-kind presence head weighs among the scene heads. It is the one
     * that needs the tower to bind a colour to a kind across the grid, which a yes/no question
     * about "a red circle" needs (the language model does not read it yet: the binding row of
     * BENCHMARKS.md, "Fifth round"). At the others' weight a two-layer tower found about 58 % of the
     * colour-and-kinds a picture holds, a three-layer one 66 %; at this weight the three-layer
     * tower finds 85 % (BENCHMARKS.md, "Fourth round").
     */
    static final double PRESENT_WEIGHT = 8;

    private final Head kind;
    private final Head colour;
    private final Head total;
    private final Head perKind;
    private final Head present;
    private final Head left;
    private final Head right;
    private final Tally shapeCells = new Tally();
    private final Tally kindCounts = new Tally();
    private final Tally presentLooks = new Tally();
    private final Tally absentLooks = new Tally();

    /**
     * How well the tower sees, from the heads' guesses on every image token since the last
     * {@link #takeScores}: the kind under tokens over a shape, each kind's count, and the colours
     * and kinds a picture holds (found) or lacks (held absent). NaN where nothing was asked.
     */
    record TowerScores(double shapeCells, double kindCounts, double presentFound, double absentHeld) {
    }

    ImageHeads(int hidden) {
        kind = new Head(hidden, 1, PatchLabels.KIND_CLASSES);
        colour = new Head(hidden, 1, PatchLabels.COLOUR_CLASSES);
        total = new Head(hidden, 1, SceneLabels.COUNT_CLASSES);
        perKind = new Head(hidden, SceneLabels.KINDS, SceneLabels.COUNT_CLASSES);
        present = new Head(hidden, SceneLabels.LOOKS, 2);
        left = new Head(hidden, 1, SceneLabels.SIDE_CLASSES);
        right = new Head(hidden, 1, SceneLabels.SIDE_CLASSES);
    }

    List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        for (Head h : heads()) {
            out.add(h.weight);
            out.add(h.bias);
        }
        return out;
    }

    /**
     * @param features (N*T, H) the images' projected tokens, T per image, image after image
     * @param patches  one per image, in the same order
     * @param scenes   one per image, in the same order
     * @return the heads' mean cross-entropies, weighted and summed: ()
     */
    Tensor loss(Tensor features, List<PatchLabels> patches, List<SceneLabels> scenes) {
        int tokens = patches.get(0).kinds().length;
        long[] kinds = perCell(patches, PatchLabels::kinds);
        long[] counts = perImage(scenes, tokens, s -> longs(s.perKind()));
        long[] looks = perImage(scenes, tokens, s -> longs(s.present()));
        score(kind, features, kinds, shapeCells, Asked.NON_ZERO);
        score(perKind, features, counts, kindCounts, Asked.ALL);
        score(present, features, looks, presentLooks, Asked.NON_ZERO);
        score(present, features, looks, absentLooks, Asked.ZERO);
        Tensor patchLoss = kind.loss(features, kinds)
                .add(colour.loss(features, perCell(patches, PatchLabels::colours)));              // ()
        Tensor sceneLoss = total.loss(features, perImage(scenes, tokens, s -> new long[] {s.total()}))
                .add(perKind.loss(features, counts))
                .add(present.loss(features, looks).mul(new Scalar(PRESENT_WEIGHT)))
                .add(left.loss(features, perImage(scenes, tokens, s -> new long[] {s.leftKind()})))
                .add(right.loss(features, perImage(scenes, tokens, s -> new long[] {s.rightKind()}))); // ()
        return patchLoss.mul(new Scalar(PATCH_WEIGHT)).add(sceneLoss.mul(new Scalar(SCENE_WEIGHT)));
    }

    /**
     * The heads' loss on pictures alone, weighted by {@code share}: what the tower stage trains,
     * the vision tower and projector without a single language-model row.
     *
     * @return a scalar with its graph back to the tower's parameters
     */
    Tensor loss(TrolModel model, List<AnswerLoss.Picture> pictures, double share) {
        Tensor features = AnswerLoss.encode(model, pictures);                                         // (N, T, H)
        return loss(features.reshape(-1, features.size(2)), pictures.stream().map(AnswerLoss.Picture::patches).toList(),
                pictures.stream().map(AnswerLoss.Picture::scene).toList()).mul(new Scalar(share));     // ()
    }

    /** The scores since the last call; starts them again. */
    TowerScores takeScores() {
        return new TowerScores(shapeCells.take(), kindCounts.take(), presentLooks.take(), absentLooks.take());
    }

    /** Which targets a score counts. */
    private enum Asked { ALL, NON_ZERO, ZERO }

    private static void score(Head head, Tensor features, long[] targets, Tally tally, Asked asked) {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = AbstractTensor.create(targets);                                            // (R*groups)
            Tensor guessed = head.logits(features).detach().argmax(new LongOptional(1), false);    // (R*groups)
            Tensor counted = switch (asked) {
                case ALL -> t.ge(new Scalar(0));
                case NON_ZERO -> t.gt(new Scalar(0));
                case ZERO -> t.eq(new Scalar(0));
            };
            tally.add(guessed.eq(t).logical_and(counted).sum().item_long(), counted.sum().item_long());
        }
    }

    private List<Head> heads() {
        return List.of(kind, colour, total, perKind, present, left, right);
    }

    private static long[] perCell(List<PatchLabels> patches, Function<PatchLabels, long[]> field) {
        int cells = field.apply(patches.get(0)).length;
        long[] out = new long[patches.size() * cells];
        for (int i = 0; i < patches.size(); i++) {
            System.arraycopy(field.apply(patches.get(i)), 0, out, i * cells, cells);
        }
        return out;
    }

    /** Each image's targets repeated for each of its tokens: (N*T*groups). */
    private static long[] perImage(List<SceneLabels> scenes, int tokens,
                                   Function<SceneLabels, long[]> targets) {
        int groups = targets.apply(scenes.get(0)).length;
        long[] out = new long[scenes.size() * tokens * groups];
        for (int i = 0; i < scenes.size(); i++) {
            long[] t = targets.apply(scenes.get(i));
            for (int token = 0; token < tokens; token++) {
                System.arraycopy(t, 0, out, (i * tokens + token) * groups, groups);
            }
        }
        return out;
    }

    private static long[] longs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static long[] longs(boolean[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] ? 1 : 0;
        }
        return out;
    }

    @Override
    public void close() {
        heads().forEach(Head::close);
    }

    /** Right guesses out of those asked; shard workers add to it at once. */
    private static final class Tally {

        private final AtomicLong right = new AtomicLong();
        private final AtomicLong asked = new AtomicLong();

        void add(long rightNow, long askedNow) {
            right.addAndGet(rightNow);
            asked.addAndGet(askedNow);
        }

        double take() {
            long a = asked.getAndSet(0);
            long r = right.getAndSet(0);
            return a == 0 ? Double.NaN : (double) r / a;
        }
    }

    /** {@code groups} classifications of {@code classes} each from one token: a (groups*classes, H) linear map. */
    private static final class Head implements AutoCloseable {

        private final int classes;
        private final Tensor weight;
        private final Tensor bias;

        Head(int hidden, int groups, int classes) {
            this.classes = classes;
            this.weight = zeros(groups * classes, hidden);
            this.bias = zeros(groups * classes);
        }

        /** (R*groups, C) */
        Tensor logits(Tensor features) {
            return torch.linear(features, weight, new TensorOptional(bias)).reshape(-1, classes);
        }

        /** @param targets (R*groups) one class per row and group; returns the mean cross-entropy: () */
        Tensor loss(Tensor features, long[] targets) {
            return torch.cross_entropy_loss(logits(features), AbstractTensor.create(targets));
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
            weight.close();
            bias.close();
        }
    }
}
