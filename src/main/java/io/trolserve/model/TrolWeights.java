package io.trolserve.model;

import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * All weights of a loaded TroL model, on the model's device and in its dtype. This is the single
 * owner of their native memory: tensors here are created once at load time (outside any
 * PointerScope) and freed together by {@link #close()}.
 */
public final class TrolWeights implements AutoCloseable {

    private final TrolConfig config;
    private final Placement placement;
    private final Tensor embedTokens;
    private final List<DecoderLayerWeights> layers;
    private final Tensor finalNorm;
    private final Tensor output;
    private final VisionWeights vision;
    private final List<Tensor> owned;
    private boolean closed;

    TrolWeights(TrolConfig config, Placement placement, Tensor embedTokens, List<DecoderLayerWeights> layers,
                Tensor finalNorm, Tensor output, VisionWeights vision, List<Tensor> owned) {
        this.config = config;
        this.placement = placement;
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.output = output;
        this.vision = vision;
        this.owned = owned;
    }

    public TrolConfig config() {
        return config;
    }

    public Placement placement() {
        return placement;
    }

    /** (V+1, H). */
    public Tensor embedTokens() {
        return embedTokens;
    }

    public List<DecoderLayerWeights> layers() {
        return layers;
    }

    /** (H). */
    public Tensor finalNorm() {
        return finalNorm;
    }

    /** (V, H). */
    public Tensor output() {
        return output;
    }

    public VisionWeights vision() {
        return vision;
    }

    /** Bytes of every weight tensor the model holds (mapped or copied), for memory budgets. */
    public long bytes() {
        return owned.stream().mapToLong(Tensor::nbytes).sum();
    }

    /**
     * Bytes of weight a decode step must read, whatever its batch: every layer's norms and base
     * projections (the Plora adapters act on image tokens only, which decoding never feeds), the
     * final norm and the head. Embedding rows are gathered, not streamed; the vision tower and
     * the gates are prompt-only. Divided by memory bandwidth, this is a decode step's floor.
     */
    public long decodeStepBytes() {
        long bytes = finalNorm.nbytes() + output.nbytes();
        for (DecoderLayerWeights l : layers) {
            bytes += l.attentionNorm().nbytes() + l.ffnNorm().nbytes();
            for (PloraWeights p : List.of(l.wqkv(), l.wo(), l.w1(), l.w3(), l.w2())) {
                bytes += p.weight().nbytes() + (p.bias() != null ? p.bias().nbytes() : 0);
            }
        }
        return bytes;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            owned.forEach(Tensor::close);
        }
    }
}
