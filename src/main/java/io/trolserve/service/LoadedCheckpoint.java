package io.trolserve.service;

import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

/**
 * A checkpoint in memory: its tokenizer, then its model, checked to fit each other (a
 * tokenizer.json from another checkpoint would feed wrong embedding rows). The one owner of both,
 * closed in reverse order. The plain path and the benchmarks that drive their own engine loop use
 * it alone; {@link ServingStack} puts the engine and the intake on top of it.
 */
public final class LoadedCheckpoint implements AutoCloseable {

    private final ModelChoice choice;
    private final TrolTokenizer tokenizer;
    private final TrolModel model;
    private boolean closed;

    private LoadedCheckpoint(ModelChoice choice, TrolTokenizer tokenizer, TrolModel model) {
        this.choice = choice;
        this.tokenizer = tokenizer;
        this.model = model;
    }

    /** Loads the tokenizer first: a bad tokenizer.json fails in milliseconds, not after the weights. */
    public static LoadedCheckpoint load(ModelChoice choice) {
        Libtorch.setBlasThreads(choice.blasThreads());
        TrolTokenizer tokenizer = TrolTokenizer.load(choice.dir());
        try {
            TrolModel model = TrolModel.load(choice.dir(), choice.placement());
            try {
                tokenizer.checkFits(model.config().vocabSize(), model.config().eosTokenId());
                return new LoadedCheckpoint(choice, tokenizer, model);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public ModelChoice choice() {
        return choice;
    }

    public TrolTokenizer tokenizer() {
        return tokenizer;
    }

    public TrolModel model() {
        return model;
    }

    /** Frees the weights, then the tokenizer; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        model.close();
        tokenizer.close();
    }
}
