package io.trolserve.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.ForwardBatch;
import io.trolserve.model.KvLayout;
import io.trolserve.model.TrolConfig;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;

/**
 * The training loss of a batch of examples, computed the way the service will compute their
 * answers (TROL_SPEC §5), so that what is learned is what is served:
 * <pre>
 * call 1, traversed:  | prompt 1 | prompt 2 | ... |   two passes and the gate, as a prefill
 *                                ^ last row's logits predict the answer's first token
 * call 2, one pass:   | answer 1 | answer 2 | ... |   teacher-forced, each row attending to its
 *                                                     prompt's pass-1 K/V and the answer before it,
 *                                                     as decoding token by token does
 * </pre>
 * Targets: every answer token, then the end-of-turn token that stops the generation. The loss is
 * the mean cross-entropy over them ({@link PatchHeads} may add theirs).
 */
final class AnswerLoss {

    private AnswerLoss() {
    }

    /** Token ids of one example as the service prompts it, and the answer it should give. */
    record Encoded(int[] prompt, int[] answer, byte[] imageRgb, int imageSide, PatchLabels patches) {

        Encoded(int[] prompt, int[] answer, byte[] imageRgb, int imageSide) {
            this(prompt, answer, imageRgb, imageSide, null);
        }
    }

    static Encoded encode(TrolConfig config, TrolTokenizer tokenizer, Example example) {
        boolean hasImage = example.scene() != null;
        int[] prompt = tokenizer.format().encode(tokenizer, example.question(), hasImage,
                config.vision().imageTokens()).tokenIds();
        int[] answer = tokenizer.encode(example.answer());
        byte[] rgb = hasImage ? SceneRenderer.render(example.scene()) : null;
        return new Encoded(prompt, answer, rgb, hasImage ? example.scene().side() : 0,
                hasImage ? PatchLabels.of(example.scene(), config.vision().gridSize()) : null);
    }

    /**
     * The mean answer loss, plus the training-only patch heads' loss on the images' tokens when
     * {@code heads} is given.
     *
     * @return a scalar with its graph back to the parameters {@code model} was built over; tensors
     *         belong to {@code stepScope}
     */
    static Tensor of(TrolModel model, PatchHeads heads, List<Encoded> batch, int endOfTurnId, PointerScope stepScope) {
        Forward f = forward(model, batch, stepScope);
        Tensor answers = torch.cross_entropy_loss(f.logits(), AbstractTensor.create(targets(batch, endOfTurnId))); // ()
        List<PatchLabels> labels = batch.stream().map(Encoded::patches).filter(Objects::nonNull).toList();
        if (heads == null || labels.isEmpty()) {
            return answers;
        }
        return answers.add(heads.loss(f.imageRows(), labels));
    }

    /** The logits of {@link #logits} and the image tokens the prompts carried: (N*G*G, H) or null. */
    private record Forward(Tensor logits, Tensor imageRows) {
    }

    /**
     * The logits of every row that predicts an answer token: each prompt's last row, in batch
     * order, then each answer's rows (teacher-forced), in batch order. (B + A, V) float32.
     *
     * <p>The prompts' common start (the system turn, before any image) is run once and its K/V
     * shared by every prompt, which then continues from it as a later prefill chunk does: the
     * engine's exactness under chunking and prefix sharing is what makes this the same forward,
     * at about half the rows.
     */
    static Tensor logits(TrolModel model, List<Encoded> batch, PointerScope stepScope) {
        return forward(model, batch, stepScope).logits();
    }

    private static Forward forward(TrolModel model, List<Encoded> batch, PointerScope stepScope) {
        KvLayout layout = model.kvLayout();
        int shared = sharedPrefix(batch, model.imageTokenId());
        GrowingKvStore prefixPass1 = new GrowingKvStore(layout, stepScope);
        GrowingKvStore prefixPass2 = new GrowingKvStore(layout, stepScope);
        if (shared > 0) {
            int[] prefix = Arrays.copyOf(batch.get(0).prompt(), shared);
            model.forward(new ForwardBatch(prefix, List.of(new ForwardBatch.Sequence(shared, 0, true, prefixPass1,
                    prefixPass2)), null, new int[] {shared - 1}));                                  // (1, V), unused
        }
        List<ForwardBatch.Sequence> prompts = new ArrayList<>();
        List<ForwardBatch.Sequence> answers = new ArrayList<>();
        List<Integer> promptIds = new ArrayList<>();
        List<Integer> answerIds = new ArrayList<>();
        List<Tensor> pixels = new ArrayList<>();
        int[] promptEnds = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Encoded e = batch.get(i);
            GrowingKvStore pass1 = new GrowingKvStore(prefixPass1);
            prompts.add(new ForwardBatch.Sequence(e.prompt().length - shared, shared, true, pass1,
                    new GrowingKvStore(prefixPass2)));
            answers.add(new ForwardBatch.Sequence(e.answer().length, e.prompt().length, false, pass1, null));
            for (int k = shared; k < e.prompt().length; k++) {
                promptIds.add(e.prompt()[k]);
            }
            for (int id : e.answer()) {
                answerIds.add(id);
            }
            promptEnds[i] = promptIds.size() - 1;
            if (e.imageRgb() != null) {
                pixels.add(model.preprocess(e.imageSide(), e.imageSide(), e.imageRgb()));          // (1, 3, S, S)
            }
        }
        Tensor images = pixels.isEmpty() ? null
                : model.encodePixels(torch.cat(new TensorVector(pixels.toArray(new Tensor[0])), 0)); // (N, G*G, H)
        Tensor imageRows = images == null ? null : images.reshape(-1, images.size(2));               // (N*G*G, H)
        Tensor first = model.forward(new ForwardBatch(ints(promptIds), prompts, imageRows, promptEnds)); // (B, V)
        Tensor rest = model.forward(new ForwardBatch(ints(answerIds), answers, null, range(answerIds.size()))); // (A, V)
        return new Forward(torch.cat(new TensorVector(first, rest), 0), imageRows);                  // (B + A, V)
    }

    /**
     * Tokens every prompt starts with, up to the first image token (image rows differ between
     * prompts whatever their ids), leaving each prompt at least one row of its own.
     */
    static int sharedPrefix(List<Encoded> batch, int imageTokenId) {
        int[] first = batch.get(0).prompt();
        int shared = first.length - 1;
        for (Encoded e : batch) {
            shared = Math.min(shared, e.prompt().length - 1);
            for (int k = 0; k < shared; k++) {
                if (e.prompt()[k] != first[k] || first[k] == imageTokenId) {
                    shared = k;
                    break;
                }
            }
        }
        return shared;
    }

    /** What each row of {@link #logits} should predict: the next answer token, or the end of the turn. */
    static long[] targets(List<Encoded> batch, int endOfTurnId) {
        List<Long> out = new ArrayList<>();
        for (Encoded e : batch) {
            out.add((long) e.answer()[0]);
        }
        for (Encoded e : batch) {
            for (int j = 0; j < e.answer().length; j++) {
                out.add((long) (j + 1 < e.answer().length ? e.answer()[j + 1] : endOfTurnId));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
