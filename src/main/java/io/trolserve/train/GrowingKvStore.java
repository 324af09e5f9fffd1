package io.trolserve.train;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import io.trolserve.model.KvLayout;
import io.trolserve.model.KvStore;

/**
 * A K/V store for training: each append concatenates into a new tensor instead of copying into a
 * buffer, because autograd refuses a backward through tensors that were written in place after it
 * read them (the serving stores write each step's rows into preallocated memory). What it keeps is
 * attached to the training step's scope, which outlives the model's per-layer scopes.
 */
final class GrowingKvStore implements KvStore {

    private final PointerScope stepScope;
    private final Tensor[] keys;     // per layer: (L, nKV, d), or null before the first append
    private final Tensor[] values;

    GrowingKvStore(KvLayout layout, PointerScope stepScope) {
        this.stepScope = stepScope;
        this.keys = new Tensor[layout.numLayers()];
        this.values = new Tensor[layout.numLayers()];
    }

    /** A store that starts with {@code prefix}'s positions (shared, not copied) and grows on its own. */
    GrowingKvStore(GrowingKvStore prefix) {
        this.stepScope = prefix.stepScope;
        this.keys = prefix.keys.clone();
        this.values = prefix.values.clone();
    }

    @Override
    public KeyValues append(int layer, int start, Tensor newKeys, Tensor newValues) {
        long have = keys[layer] == null ? 0 : keys[layer].size(0);
        if (start != have) {
            throw new IllegalStateException("layer " + layer + " holds " + have + " positions; cannot append at " + start);
        }
        keys[layer] = kept(keys[layer] == null ? newKeys : torch.cat(new TensorVector(keys[layer], newKeys), 0)); // (L, nKV, d)
        values[layer] = kept(values[layer] == null ? newValues
                : torch.cat(new TensorVector(values[layer], newValues), 0));                                    // (L, nKV, d)
        return new KeyValues(keys[layer], values[layer]);
    }

    private Tensor kept(Tensor t) {
        stepScope.attach(t);
        return t;
    }
}
