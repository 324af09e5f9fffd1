package io.trolserve.model;

import org.bytedeco.pytorch.Tensor;

/**
 * Key/value storage of one sequence for one traversal pass, across all layers. The model calls
 * {@link #append} once per layer and step; the implementation decides where the rows live
 * (a contiguous buffer here, pages of a block pool in the engine).
 */
public interface KvStore {

    /**
     * Stores the keys and values of positions [start, start + n) of a layer and returns the keys
     * and values of positions [0, start + n), the attention context of those tokens.
     *
     * @param keys   (n, nKV, d)
     * @param values (n, nKV, d)
     * @return views or gathers of (start + n, nKV, d), valid until the step's scope closes
     */
    KeyValues append(int layer, int start, Tensor keys, Tensor values);

    /** Keys and values of a context, each (L, nKV, d). */
    record KeyValues(Tensor keys, Tensor values) {
    }
}
