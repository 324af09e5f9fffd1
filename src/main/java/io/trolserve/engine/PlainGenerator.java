package io.trolserve.engine;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.ContiguousKvStore;
import io.trolserve.model.ForwardBatch;
import io.trolserve.model.Libtorch;
import io.trolserve.model.TrolModel;

/**
 * One request, start to finish, on the calling thread: encode its image, prefill the prompt
 * (traversed, optionally in chunks), then decode one token per step from the pass-1 KV cache.
 * The reference path of {@code generate}; the batching engine must produce the same tokens.
 *
 * <p>Memory: the K/V buffers and image features live for the run and are closed at its end; each
 * step's temporaries live in a PointerScope closed after the step, so a run leaves nothing behind.
 */
public final class PlainGenerator {

    /** Decides after every token whether generation goes on (stop strings, streaming). */
    @FunctionalInterface
    public interface TokenListener {
        /** @return false to stop after this token */
        boolean onToken(int index, int tokenId);
    }

    /**
     * @param images        RGB images, one per image marker in the prompt, in order
     * @param stopTokenIds  ids that end generation (EOS, end of turn); they are kept in the output
     * @param prefillChunk  prompt tokens per prefill step; 0 for the whole prompt at once
     */
    public record Request(int[] promptIds, List<RgbImage> images, SamplingParams params, int[] stopTokenIds,
                         int prefillChunk, boolean captureLogits) {
    }

    /** An 8-bit RGB image, interleaved, row-major. */
    public record RgbImage(int width, int height, byte[] rgb) {
    }

    private final TrolModel model;

    public PlainGenerator(TrolModel model) {
        this.model = model;
    }

    public GenerationResult generate(Request r, TokenListener listener) {
        Libtorch.prepareComputeThread();
        int prompt = r.promptIds().length;
        int capacity = prompt + r.params().maxNewTokens();
        long started = System.nanoTime();
        try (InferenceMode guard = new InferenceMode();
             ContiguousKvStore pass1 = model.newKvStore(capacity);
             ImageFeatures features = ImageFeatures.encode(model, r.images())) {
            long visionNanos = System.nanoTime() - started;
            Sampler sampler = new Sampler(r.params());
            List<float[]> logits = new ArrayList<>();
            float[] next = prefill(r, pass1, features, logits);
            long prefillDone = System.nanoTime();
            List<Integer> tokens = new ArrayList<>();
            List<Long> gaps = new ArrayList<>();
            long last = started;
            FinishReason reason = FinishReason.LENGTH;
            while (true) {
                int token = sampler.next(next);
                long now = System.nanoTime();
                tokens.add(token);
                gaps.add(now - last);
                last = now;
                boolean more = listener.onToken(tokens.size() - 1, token);
                if ((!r.params().ignoreEos() && isStop(token, r.stopTokenIds())) || !more) {
                    reason = FinishReason.STOP;
                    break;
                }
                if (tokens.size() == r.params().maxNewTokens()) {
                    break;
                }
                next = decode(token, prompt + tokens.size() - 1, pass1, logits, r.captureLogits());
            }
            return new GenerationResult(tokens.stream().mapToInt(Integer::intValue).toArray(), reason, prompt,
                    visionNanos, prefillDone - started - visionNanos,
                    gaps.stream().mapToLong(Long::longValue).toArray(), r.captureLogits() ? logits : List.of());
        }
    }

    /**
     * Prefill in chunks; the pass-2 store lives exactly as long as the prefill (TROL_SPEC §5). A
     * one-token prompt is not traversed: the official forward traverses only when it is given
     * more than one token, and a whole one-token prompt is such a forward.
     */
    private float[] prefill(Request r, ContiguousKvStore pass1, ImageFeatures features, List<float[]> logits) {
        int prompt = r.promptIds().length;
        int chunk = r.prefillChunk() <= 0 ? prompt : r.prefillChunk();
        boolean traversed = TraversalRule.traversesPrompt(prompt);
        float[] last = null;
        try (ContiguousKvStore pass2 = traversed ? model.newKvStore(prompt) : null) {
            int imageRowsUsed = 0;
            for (int start = 0; start < prompt; start += chunk) {
                int n = Math.min(chunk, prompt - start);
                int[] ids = java.util.Arrays.copyOfRange(r.promptIds(), start, start + n);
                int imageRows = countImageTokens(ids);
                try (PointerScope scope = new PointerScope()) {
                    Tensor chunkFeatures = imageRows == 0 ? null : features.rows(imageRowsUsed, imageRows);
                    ForwardBatch batch = new ForwardBatch(ids,
                            List.of(new ForwardBatch.Sequence(n, start, traversed, pass1, pass2)),
                            chunkFeatures, new int[] {n - 1});
                    last = toArray(model.forward(batch));
                }
                imageRowsUsed += imageRows;
            }
        }
        if (r.captureLogits()) {
            logits.add(last);
        }
        return last;
    }

    private float[] decode(int token, int position, ContiguousKvStore pass1, List<float[]> logits, boolean capture) {
        try (PointerScope scope = new PointerScope()) {
            ForwardBatch batch = new ForwardBatch(new int[] {token},
                    List.of(new ForwardBatch.Sequence(1, position, false, pass1, null)), null, new int[] {0});
            float[] row = toArray(model.forward(batch));
            if (capture) {
                logits.add(row);
            }
            return row;
        }
    }

    private int countImageTokens(int[] ids) {
        int n = 0;
        for (int id : ids) {
            if (id == model.config().imageTokenId()) {
                n++;
            }
        }
        return n;
    }

    private static boolean isStop(int token, int[] stopIds) {
        for (int s : stopIds) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }

    /** The single row of a (1, V) float32 logits tensor, copied to the heap. */
    static float[] toArray(Tensor logits) {
        Tensor row = logits.select(0, 0).contiguous().cpu();
        float[] out = new float[(int) row.numel()];
        row.data_ptr_float().get(out);
        return out;
    }

    /** Projected features of a request's images, held for the whole prefill. */
    static final class ImageFeatures implements AutoCloseable {
        private final Tensor all;   // (images * G*G, H), or null without images

        private ImageFeatures(Tensor all) {
            this.all = all;
        }

        static ImageFeatures encode(TrolModel model, List<RgbImage> images) {
            if (images == null || images.isEmpty()) {
                return new ImageFeatures(null);
            }
            try (PointerScope scope = new PointerScope()) {
                TensorVector perImage = new TensorVector();
                for (RgbImage img : images) {
                    perImage.push_back(model.encodeImage(img.width(), img.height(), img.rgb()));
                }
                Tensor all = torch.cat(perImage, 0);
                // escapes the scope on purpose: it must live until the prefill is done
                all.retainReference();
                return new ImageFeatures(all);
            }
        }

        Tensor rows(int start, int count) {
            if (all == null || start + count > all.size(0)) {
                throw new IllegalArgumentException("the prompt has more image tokens than the images provide");
            }
            return all.narrow(0, start, count);
        }

        @Override
        public void close() {
            if (all != null) {
                all.releaseReference();
            }
        }
    }
}
