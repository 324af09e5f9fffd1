package io.trolserve.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * TroL-3.8B's Phi-3 language model from its input embeddings on: L decoder layers under
 * {@link Traversal}, final norm and lm_head, logits in float32 (docs/TROL_3_8B.md §4, §5). It steps
 * a {@link ForwardBatch} through the same {@link PassRows} and {@link KvStore}s as InternLM2's
 * {@link LanguageModel}, so the engine's chunking, paging and prefix cache serve it unchanged.
 *
 * <p>The input embeddings are the caller's: token embeddings with the image-token rows replaced
 * by the projected image features (§4, "Image features"). The weights are the caller's too; this
 * class owns nothing.
 */
public final class Phi3LanguageModel {

    public static final String EMBED_TOKENS = "language_model.model.embed_tokens.weight";
    public static final String FINAL_NORM = "language_model.model.norm.weight";
    public static final String LM_HEAD = "language_model.lm_head.weight";

    /** PassRows marks rows of this id as image rows, which only Plora reads: Phi-3 has no Plora. */
    private static final int NO_IMAGE_TOKEN = -1;

    private final Phi3Config config;
    private final List<Phi3DecoderLayer> layers = new ArrayList<>();
    private final Tensor finalNorm;
    private final Tensor lmHead;
    private final Phi3RotaryEmbedding rope;

    /**
     * @param finalNorm (H)
     * @param lmHead    (V, H)
     */
    Phi3LanguageModel(Phi3Config config, List<Phi3LayerWeights> layerWeights, Tensor finalNorm, Tensor lmHead,
                      Phi3RotaryEmbedding rope) {
        if (layerWeights.size() != config.numLayers()) {
            throw new IllegalArgumentException(layerWeights.size() + " layers given, config has " + config.numLayers());
        }
        this.config = config;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = rope;
        for (int i = 0; i < layerWeights.size(); i++) {
            layers.add(new Phi3DecoderLayer(i, layerWeights.get(i), config));
        }
    }

    /**
     * @param x (R, H) the batch rows' input embeddings; left to the caller
     * @return (logitRows, V) float32 logits; tensors belong to the caller's scope
     */
    Tensor forward(ForwardBatch batch, Tensor x, Device device) {
        checkBatch(batch, x);
        PassRows firstPass = PassRows.build(batch, false, NO_IMAGE_TOKEN, rope, device);
        long[] traversedRows = PassRows.traversedRowIndices(batch);
        boolean anyTraversed = traversedRows.length > 0;
        boolean allTraversed = traversedRows.length == batch.numRows();
        PassRows secondPass = anyTraversed ? PassRows.build(batch, true, NO_IMAGE_TOKEN, rope, device) : null;
        Tensor traversed = anyTraversed && !allTraversed ? Ops.longs(traversedRows, device) : null;

        Tensor h = x;                                                                       // (R, H)
        for (Phi3DecoderLayer layer : layers) {
            Tensor in = h;
            Phi3LayerWeights w = layer.weights();
            // one layer's working set at a time, as LanguageModel does; the caller's x stays open
            h = Ops.scoped(() -> Traversal.apply(layer::forward, w.gateWeight(), w.gateBias(), in,
                    firstPass, secondPass, traversed, anyTraversed));                       // (R, H)
            if (in != x) {
                in.close();
            }
        }
        long[] logitRows = new long[batch.logitRows().length];
        for (int i = 0; i < logitRows.length; i++) {
            logitRows[i] = batch.logitRows()[i];
        }
        Tensor last = h.index_select(0, Ops.longs(logitRows, device));                      // (N, H)
        Tensor normed = Ops.rmsNorm(last, finalNorm, config.rmsNormEps());                  // (N, H)
        return Ops.linear(normed, lmHead, null).to(ScalarType.Float);                       // (N, V)
    }

    private void checkBatch(ForwardBatch batch, Tensor x) {
        if (x.dim() != 2 || x.size(0) != batch.numRows() || x.size(1) != config.hiddenSize()) {
            throw new IllegalArgumentException("input embeddings of shape " + Arrays.toString(x.sizes().vec().get())
                    + " for " + batch.numRows() + " rows of hidden size " + config.hiddenSize());
        }
        for (ForwardBatch.Sequence s : batch.sequences()) {
            rope.checkLength((long) s.startPosition() + s.numRows());
        }
    }
}
