package io.trolserve.service;

import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.trolserve.engine.Engine;
import io.trolserve.engine.EngineClosedException;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.RequestListener;
import io.trolserve.messaging.MessagingSettings;
import io.trolserve.messaging.RequestPreparation;
import io.trolserve.messaging.ServingPort;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.metrics.ServingMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What {@code serve} runs: the {@link ServingStack} (model, tokenizer, engine thread, request
 * parser and preparation), assembled from the trol.* settings. Started explicitly by the serve
 * command (never by bean creation: the other subcommands boot the same application and must not
 * load a model), stopped by {@link #stop} during shutdown.
 */
@ApplicationScoped
public class ServiceRuntime implements ServingPort {

    private static final Logger LOG = Logger.getLogger(ServiceRuntime.class);

    public enum State { STOPPED, STARTING, READY, STOPPING }

    @Inject
    ModelSettings modelSettings;

    @Inject
    EngineSettings engineSettings;

    @Inject
    MessagingSettings messaging;

    @Inject
    ServingMetrics metrics;

    private volatile State state = State.STOPPED;
    // kept after stop: health and /v1/engine read the stopped engine's last state
    private volatile ServingStack stack;
    private String modelName;

    public synchronized void start() {
        if (state != State.STOPPED) {
            return;
        }
        IntakePolicy intake = IntakePolicy.of(messaging, metrics::unknownField); // checked before the model loads
        state = State.STARTING;
        ModelChoice choice = ModelChoice.of(modelSettings);
        stack = ServingStack.start(choice, engineSettings::toConfig, intake);
        modelName = messaging.modelName().orElse(choice.modelName());
        metrics.bind(modelName, stack.engine()::stats);
        state = State.READY;
        LOG.infof("model %s loaded from %s on %s; engine %s", modelName, choice.dir(), choice.placement(),
                stack.engineConfig());
    }

    /** Lets running requests finish for up to {@code grace}; the engine cancels the rest. */
    public synchronized void stop(Duration grace) {
        if (state != State.READY) {
            return;
        }
        state = State.STOPPING;
        stack.shutdown(grace);
        state = State.STOPPED;
    }

    public State state() {
        return state;
    }

    public boolean ready() {
        return state == State.READY;
    }

    /** Shutting down, or the engine thread has died: either way the requests it cancels go to another instance. */
    @Override
    public boolean stopping() {
        Optional<Engine> running = engine();
        return state == State.STOPPING || running.isPresent() && !running.get().isAlive();
    }

    public Optional<Engine> engine() {
        return Optional.ofNullable(stack).map(ServingStack::engine);
    }

    @Override
    public RequestParser parser() {
        ServingStack running = stack;
        return running == null ? null : running.parser();
    }

    @Override
    public RequestPreparation.Outcome prepare(TrolRequest request) {
        return stack.preparation().prepare(request);
    }

    @Override
    public void submit(EngineRequest request, RequestListener listener) {
        ServingStack running = stack;
        if (running == null || state != State.READY) {
            throw new EngineClosedException();
        }
        running.engine().submit(request, listener);
    }

    @Override
    public String modelName() {
        return modelName;
    }
}
