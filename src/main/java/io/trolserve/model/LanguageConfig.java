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

    int headDim();

    int bosTokenId();

    int eosTokenId();
}
