package io.trolserve.model;

/**
 * The language model's sizes and token ids that callers outside a variant need (the engine's
 * vocabulary checks, benchmarks, FLOP counts): what {@link TrolConfig} (InternLM2) and
 * {@link Phi3Config} (TroL-3.8B) have in common. Variant-specific fields stay on those records.
 */
public interface LanguageConfig {

    /** V: ids the language model's embedding and logits cover (InternLM2 adds one row for {@code <image>}). */
    int vocabSize();

    int hiddenSize();

    int intermediateSize();

    int numLayers();

    int numHeads();

    int numKvHeads();

    /** d = H / nH. */
    default int headDim() {
        return hiddenSize() / numHeads();
    }

    /** g = nH / nKV: query heads per key/value head. */
    default int groups() {
        return numHeads() / numKvHeads();
    }

    /** Rows of the fused query/key/value projection (wqkv, qkv_proj): (nH + 2 nKV) d. */
    default int qkvRows() {
        return (numHeads() + 2 * numKvHeads()) * headDim();
    }

    int bosTokenId();

    int eosTokenId();
}
