package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The InternLM2 language model with traversed layers: embeddings (image rows replaced by projected
 * features), L decoder layers under {@link Traversal}, final norm and output head (TROL_SPEC §3-5).
 */
final class LanguageModel {

    private final TrolWeights weights;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final RotaryEmbedding rope;

    LanguageModel(TrolWeights weights, RotaryEmbedding rope) {
        this.weights = weights;
        this.rope = rope;
        for (int i = 0; i < weights.layers().size(); i++) {
            layers.add(new DecoderLayer(i, weights.layers().get(i), weights.config()));
        }
    }

    /** @return (logitRows, V) float32 logits; tensors belong to the caller's scope. */
    Tensor forward(ForwardBatch batch, Device device) {
        TrolConfig c = weights.config();
        checkBatch(batch, c);
        PassRows firstPass = PassRows.build(batch, false, c.imageTokenId(), rope, device);
        long[] traversedRows = PassRows.traversedRowIndices(batch);
        boolean anyTraversed = traversedRows.length > 0;
        boolean allTraversed = traversedRows.length == batch.numRows();
        PassRows secondPass = anyTraversed ? PassRows.build(batch, true, c.imageTokenId(), rope, device) : null;
        Tensor traversed = anyTraversed && !allTraversed ? Ops.longs(traversedRows, device) : null;

        Tensor x = embed(batch, firstPass, device);                                        // (R, H)
        for (DecoderLayer layer : layers) {
            Tensor in = x;
            // a layer's temporaries (both passes, the gate mix) die with its scope, and its input
            // once its output exists: a step holds one layer's working set, not all of them
            x = Ops.scoped(() -> Traversal.apply(layer, in, firstPass, secondPass, traversed, anyTraversed)); // (R, H)
            in.close();
        }
        Tensor last = x.index_select(0, Ops.longs(toLongs(batch.logitRows()), device));    // (N, H)
        Tensor normed = Ops.rmsNorm(last, weights.finalNorm(), c.rmsNormEps());           // (N, H)
        return Ops.linear(normed, weights.output(), null).to(ScalarType.Float);            // (N, V)
    }

    private Tensor embed(ForwardBatch batch, PassRows rows, Device device) {
        Tensor ids = Ops.longs(toLongs(batch.tokenIds()), device);
        Tensor x = torch.embedding(weights.embedTokens(), ids);                          // (R, H)
        if (rows.imageRows() != null) {
            x.index_copy_(0, rows.imageRows(), batch.imageEmbeddings());
        }
        return x;
    }

    private void checkBatch(ForwardBatch batch, TrolConfig c) {
        int imageRows = 0;
        for (int id : batch.tokenIds()) {
            if (id < 0 || id > c.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + c.vocabSize() + "]");
            }
            if (id == c.imageTokenId()) {
                imageRows++;
            }
        }
        long given = batch.imageEmbeddings() == null ? 0 : batch.imageEmbeddings().size(0);
        if (given != imageRows) {
            throw new IllegalArgumentException(imageRows + " image-token rows but " + given + " image feature rows");
        }
        for (ForwardBatch.Sequence s : batch.sequences()) {
            rope.checkLength((long) s.startPosition() + s.numRows());
        }
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
