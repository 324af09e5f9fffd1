package io.trolserve.service;

import java.time.Duration;
import java.util.function.Function;

import io.trolserve.engine.Engine;
import io.trolserve.engine.EngineConfig;
import io.trolserve.messaging.RequestPreparation;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.ImageFetcher;

/**
 * The serving stack, assembled here and nowhere else: for {@code serve} (through ServiceRuntime,
 * which wires it from configuration), {@code generate --requests} and the benchmarks. In order: a
 * {@link LoadedCheckpoint} (tokenizer, model), the request parser and preparation the intake runs
 * before submitting, and last the engine thread, so that nothing can fail after it has started.
 * Shutting down stops the engine first (no step may run on freed weights), then the checkpoint.
 */
public final class ServingStack implements AutoCloseable {

    private final LoadedCheckpoint checkpoint;
    private final EngineConfig engineConfig;
    private final RequestParser parser;
    private final RequestPreparation preparation;
    private final Engine engine;
    private boolean closed;

    private ServingStack(LoadedCheckpoint checkpoint, EngineConfig engineConfig, IntakePolicy intake) {
        TrolModel model = checkpoint.model();
        this.checkpoint = checkpoint;
        this.engineConfig = engineConfig;
        this.parser = intake.parser();
        this.preparation = new RequestPreparation(checkpoint.tokenizer(), model.promptFormat(), model.imagePolicy(),
                new ImageFetcher(intake.images()), intake.decode());
        this.engine = Engine.start(model, checkpoint.tokenizer(), engineConfig);
    }

    /** @param engineConfig the engine's configuration for the loaded model (its pool size depends on the model) */
    public static ServingStack start(ModelChoice choice, Function<TrolModel, EngineConfig> engineConfig,
                                     IntakePolicy intake) {
        LoadedCheckpoint checkpoint = LoadedCheckpoint.load(choice);
        try {
            return new ServingStack(checkpoint, engineConfig.apply(checkpoint.model()), intake);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    public ModelChoice choice() {
        return checkpoint.choice();
    }

    public TrolModel model() {
        return checkpoint.model();
    }

    public TrolTokenizer tokenizer() {
        return checkpoint.tokenizer();
    }

    public EngineConfig engineConfig() {
        return engineConfig;
    }

    public RequestParser parser() {
        return parser;
    }

    public RequestPreparation preparation() {
        return preparation;
    }

    public Engine engine() {
        return engine;
    }

    /** Lets running requests finish for up to {@code grace} (the engine cancels the rest), then frees the model; once. */
    public synchronized void shutdown(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        engine.shutdown(grace);
        checkpoint.close();
    }

    /** Shuts down at once: requests still running are cancelled. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
