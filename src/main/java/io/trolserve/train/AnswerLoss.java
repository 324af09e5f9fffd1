package io.trolserve.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Scalar;
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
 * call 1, traversed:  | system turn |                      once for the batch (a shared prefix)
 * call 2, traversed:  | picture 1's start | picture 2's start | ...   once per picture asked
 *                       (user turn up to its image rows)               about more than once
 * call 3, traversed:  | rest of prompt 1 | rest of prompt 2 | ...     each continues from its
 *                                  ^ last row's logits predict          picture's K/V, or from the
 *                                    the answer's first token           system turn's
 * call 4, one pass:   | answer 1 | answer 2 | ... |   teacher-forced, each row attending to its
 *                                                     prompt's pass-1 K/V and the answer before it,
 *                                                     as decoding token by token does
 * </pre>
 * Calls 1 and 2 are what the engine's prefix cache does for prompts that start alike (its
 * exactness under chunking and prefix sharing makes this the same forward): several questions
 * about one picture cost its image rows once. Targets: every answer token, then the end-of-turn
 * token that stops the generation. The loss is the mean cross-entropy over them
 * ({@link ImageHeads} may add theirs, once per picture).
 */
final class AnswerLoss {

    private AnswerLoss() {
    }

    /**
     * A picture as the model reads it, with what the training-only heads learn from it. Questions
     * about the same picture share one instance: that is how the forward knows to encode it once.
     */
    record Picture(byte[] rgb, int side, PatchLabels patches, SceneLabels scene) {

        /** {@code scene} rendered, with its labels on the grid of {@code config}'s vision tower. */
        static Picture of(Scene scene, TrolConfig config) {
            return new Picture(SceneRenderer.render(scene), scene.side(),
                    PatchLabels.of(scene, config.vision().gridSize()), SceneLabels.of(scene));
        }
    }

    /** Token ids of one example as the service prompts it, the answer it should give, and its picture (or null). */
    record Encoded(int[] prompt, int[] answer, Picture picture) {

        /** A question about a picture of its own, without head labels. */
        Encoded(int[] prompt, int[] answer, byte[] imageRgb, int imageSide) {
            this(prompt, answer, imageRgb == null ? null : new Picture(imageRgb, imageSide, null, null));
        }

        byte[] imageRgb() {
            return picture == null ? null : picture.rgb();
        }

        int imageSide() {
            return picture == null ? 0 : picture.side();
        }
    }

    /** One example on a picture of its own. */
    static Encoded encode(TrolConfig config, TrolTokenizer tokenizer, Example example) {
        return encode(config, tokenizer, List.of(example)).get(0);
    }

    /** Examples in order; those about the same scene (the same object) share one {@link Picture}. */
    static List<Encoded> encode(TrolConfig config, TrolTokenizer tokenizer, List<Example> examples) {
        Map<Scene, Picture> pictures = new IdentityHashMap<>();
        List<Encoded> out = new ArrayList<>();
        for (Example example : examples) {
            Scene scene = example.scene();
            int[] prompt = tokenizer.format().encode(tokenizer, example.question(), scene != null,
                    config.vision().imageTokens()).tokenIds();
            Picture picture = scene == null ? null : pictures.computeIfAbsent(scene, s -> Picture.of(s, config));
            out.add(new Encoded(prompt, tokenizer.encode(example.answer()), picture));
        }
        return out;
    }

    /**
     * What a shard of a batch weighs in the batch's loss: its share of the answer rows and of the
     * images. Shards' losses, each weighted so, sum to the loss of the whole batch.
     */
    record Share(double answerRows, double images) {

        static final Share WHOLE = new Share(1, 1);

        /** {@code shard}'s share of {@code batch}. */
        static Share of(List<Encoded> shard, List<Encoded> batch) {
            return new Share((double) answerRows(shard) / answerRows(batch),
                    (double) pictures(shard).size() / Math.max(1, pictures(batch).size()));
        }

        private static long answerRows(List<Encoded> examples) {
            return examples.stream().mapToLong(e -> e.answer().length + 1L).sum();
        }
    }

    /**
     * The mean answer loss, plus the training-only image heads' loss on the images' tokens when
     * {@code heads} is given, each weighted by {@code share}.
     *
     * @return a scalar with its graph back to the parameters {@code model} was built over; tensors
     *         belong to {@code stepScope}
     */
    static Tensor of(TrolModel model, ImageHeads heads, List<Encoded> batch, Share share, int endOfTurnId,
                     PointerScope stepScope) {
        Forward f = forward(model, batch, stepScope);
        Tensor answers = torch.cross_entropy_loss(f.logits(), AbstractTensor.create(targets(batch, endOfTurnId)))
                .mul(new Scalar(share.answerRows()));                                                // ()
        List<Picture> labelled = f.pictures().stream().filter(p -> p.patches() != null).toList();
        if (heads == null || labelled.isEmpty()) {
            return answers;
        }
        if (labelled.size() != f.pictures().size()) {
            throw new IllegalArgumentException("every picture of a batch needs its labels for the image heads");
        }
        Tensor imageLoss = heads.loss(f.imageRows(), labelled.stream().map(Picture::patches).toList(),
                labelled.stream().map(Picture::scene).toList());                                    // ()
        return answers.add(imageLoss.mul(new Scalar(share.images())));
    }

    /**
     * The logits of {@link #logits}, the distinct pictures in the order they first appear, and
     * their image tokens: (N*G*G, H) or null.
     */
    private record Forward(Tensor logits, List<Picture> pictures, Tensor imageRows) {
    }

    /**
     * The logits of every row that predicts an answer token: each prompt's last row, in batch
     * order, then each answer's rows (teacher-forced), in batch order. (B + A, V) float32.
     */
    static Tensor logits(TrolModel model, List<Encoded> batch, PointerScope stepScope) {
        return forward(model, batch, stepScope).logits();
    }

    private static Forward forward(TrolModel model, List<Encoded> batch, PointerScope stepScope) {
        KvLayout layout = model.kvLayout();
        int shared = sharedPrefix(batch, model.imageTokenId());
        GrowingKvStore systemPass1 = new GrowingKvStore(layout, stepScope);
        GrowingKvStore systemPass2 = new GrowingKvStore(layout, stepScope);
        if (shared > 0) {
            int[] prefix = Arrays.copyOf(batch.get(0).prompt(), shared);
            model.forward(new ForwardBatch(prefix, List.of(new ForwardBatch.Sequence(shared, 0, true, systemPass1,
                    systemPass2)), null, new int[] {shared - 1}));                                  // (1, V), unused
        }

        List<Picture> pictures = pictures(batch);
        Map<Picture, Integer> pictureIndex = new IdentityHashMap<>();
        pictures.forEach(p -> pictureIndex.put(p, pictureIndex.size()));
        Tensor images = pictures.isEmpty() ? null : encode(model, pictures);                           // (N, G*G, H)

        // call 2: the start every question about a picture shares, through its image rows, once
        Map<Picture, PictureStart> starts = pictureStarts(model, batch, pictures, images, shared, systemPass1,
                systemPass2);

        // call 3: the rest of each prompt, continuing from its picture's start or the system turn
        List<ForwardBatch.Sequence> prompts = new ArrayList<>();
        List<ForwardBatch.Sequence> answers = new ArrayList<>();
        List<Integer> promptIds = new ArrayList<>();
        List<Integer> answerIds = new ArrayList<>();
        List<Tensor> promptImages = new ArrayList<>();
        int[] promptEnds = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Encoded e = batch.get(i);
            PictureStart start = e.picture() == null ? null : starts.get(e.picture());
            int from = start == null ? shared : start.length();
            GrowingKvStore pass1 = new GrowingKvStore(start == null ? systemPass1 : start.pass1());
            prompts.add(new ForwardBatch.Sequence(e.prompt().length - from, from, true, pass1,
                    new GrowingKvStore(start == null ? systemPass2 : start.pass2())));
            answers.add(new ForwardBatch.Sequence(e.answer().length, e.prompt().length, false, pass1, null));
            for (int k = from; k < e.prompt().length; k++) {
                promptIds.add(e.prompt()[k]);
            }
            for (int id : e.answer()) {
                answerIds.add(id);
            }
            promptEnds[i] = promptIds.size() - 1;
            if (e.picture() != null && start == null) {
                promptImages.add(images.select(0, pictureIndex.get(e.picture())));                // (G*G, H)
            }
        }
        Tensor first = model.forward(new ForwardBatch(ints(promptIds), prompts, rows(promptImages), promptEnds)); // (B, V)
        Tensor rest = model.forward(new ForwardBatch(ints(answerIds), answers, null, range(answerIds.size()))); // (A, V)
        Tensor imageRows = images == null ? null : images.reshape(-1, images.size(2));               // (N*G*G, H)
        return new Forward(torch.cat(new TensorVector(first, rest), 0), pictures, imageRows);       // (B + A, V)
    }

    /** The pictures through the vision tower and projector in one call: (N, G*G, H), each picture's image tokens. */
    static Tensor encode(TrolModel model, List<Picture> pictures) {
        return model.encodePixels(torch.cat(new TensorVector(pictures.stream()
                .map(p -> model.preprocess(p.side(), p.side(), p.rgb())).toArray(Tensor[]::new)), 0));
    }

    /** How far the questions about one picture run alike, and the K/V of that start. */
    private record PictureStart(int length, GrowingKvStore pass1, GrowingKvStore pass2) {
    }

    /**
     * Runs, in one traversed call, the common start of the prompts of each picture asked about
     * more than once: from the end of the system turn through its image rows, up to where its
     * questions part. A picture asked about once is left to call 3.
     */
    private static Map<Picture, PictureStart> pictureStarts(TrolModel model, List<Encoded> batch,
                                                            List<Picture> pictures, Tensor images, int shared,
                                                            GrowingKvStore systemPass1, GrowingKvStore systemPass2) {
        Map<Picture, List<Encoded>> byPicture = new IdentityHashMap<>();   // a picture is its instance
        for (Encoded e : batch) {
            if (e.picture() != null) {
                byPicture.computeIfAbsent(e.picture(), p -> new ArrayList<>()).add(e);
            }
        }
        Map<Picture, PictureStart> starts = new IdentityHashMap<>();
        List<ForwardBatch.Sequence> sequences = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<Tensor> rows = new ArrayList<>();
        List<Integer> lastRows = new ArrayList<>();
        for (int index = 0; index < pictures.size(); index++) {
            Picture picture = pictures.get(index);
            List<Encoded> questions = byPicture.get(picture);
            if (questions.size() < 2) {
                continue;
            }
            int length = commonStart(questions);
            int[] prompt = questions.get(0).prompt();
            int lastImageToken = lastIndexOf(prompt, model.imageTokenId());
            if (length <= lastImageToken) {
                throw new IllegalStateException("questions about one picture part before its image rows end");
            }
            PictureStart start = new PictureStart(length, new GrowingKvStore(systemPass1), new GrowingKvStore(systemPass2));
            starts.put(picture, start);
            sequences.add(new ForwardBatch.Sequence(length - shared, shared, true, start.pass1(), start.pass2()));
            for (int k = shared; k < length; k++) {
                ids.add(prompt[k]);
            }
            lastRows.add(ids.size() - 1);
            rows.add(images.select(0, index));                                                       // (G*G, H)
        }
        if (!sequences.isEmpty()) {
            model.forward(new ForwardBatch(ints(ids), sequences, rows(rows),
                    lastRows.stream().mapToInt(Integer::intValue).toArray()));                       // unused logits
        }
        return starts;
    }

    /** Image rows for a call, in order: (sum of G*G, H), or null when it has none. */
    private static Tensor rows(List<Tensor> perPicture) {
        return perPicture.isEmpty() ? null : torch.cat(new TensorVector(perPicture.toArray(new Tensor[0])), 0);
    }

    /** The distinct pictures of a batch, in the order they first appear. */
    static List<Picture> pictures(List<Encoded> batch) {
        Map<Picture, Boolean> seen = new IdentityHashMap<>();
        List<Picture> out = new ArrayList<>();
        for (Encoded e : batch) {
            if (e.picture() != null && seen.put(e.picture(), Boolean.TRUE) == null) {
                out.add(e.picture());
            }
        }
        return out;
    }

    /** How many leading tokens all these prompts share, leaving each at least one row of its own. */
    static int commonStart(List<Encoded> prompts) {
        int[] first = prompts.get(0).prompt();
        int length = first.length - 1;
        for (Encoded e : prompts) {
            length = Math.min(length, e.prompt().length - 1);
            for (int k = 0; k < length; k++) {
                if (e.prompt()[k] != first[k]) {
                    length = k;
                    break;
                }
            }
        }
        return length;
    }

    private static int lastIndexOf(int[] ids, int id) {
        for (int k = ids.length - 1; k >= 0; k--) {
            if (ids[k] == id) {
                return k;
            }
        }
        return -1;
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
