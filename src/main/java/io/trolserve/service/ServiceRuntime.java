package io.trolserve.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.trolserve.engine.Engine;
import io.trolserve.engine.EngineClosedException;
import io.trolserve.engine.EngineConfig;
import io.trolserve.engine.EngineRequest;
import io.trolserve.engine.RequestListener;
import io.trolserve.messaging.MessagingSettings;
import io.trolserve.messaging.RequestPreparation;
import io.trolserve.messaging.ServingPort;
import io.trolserve.messaging.contract.RequestLimits;
import io.trolserve.messaging.contract.RequestParser;
import io.trolserve.metrics.ServingMetrics;
import io.trolserve.model.Libtorch;
import io.trolserve.model.Placement;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.vision.DecodeBudget;
import io.trolserve.vision.DecodeLimits;
import io.trolserve.vision.ImageFetcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What {@code serve} runs: the model, its tokenizer and the engine thread, plus the request parser
 * and preparation the intake uses. Started explicitly by the serve command (never by bean
 * creation: the other subcommands boot the same application and must not load a model), stopped
 * by {@link #stop} during shutdown.
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
    private TrolModel model;
    private TrolTokenizer tokenizer;
    private Engine engine;
    private RequestParser parser;
    private RequestPreparation preparation;
    private String modelName;

    public synchronized void start() {
        if (state != State.STOPPED) {
            return;
        }
        DecodeLimits decodeLimits = decodeLimits(); // checked before the model loads
        state = State.STARTING;
        Path dir = CheckpointLocation.resolve(null, modelSettings);
        Placement placement = Placement.resolve(modelSettings.device(), modelSettings.dtype());
        Libtorch.setBlasThreads(modelSettings.blasThreads());
        tokenizer = TrolTokenizer.load(dir);
        model = TrolModel.load(dir, placement);
        tokenizer.checkFits(model.config().vocabSize(), model.config().eosTokenId());
        EngineConfig config = engineSettings.toConfig(model);
        engine = Engine.start(model, tokenizer, config);
        parser = new RequestParser(requestLimits(), metrics::unknownField);
        preparation = new RequestPreparation(tokenizer, model.imageTokensPerImage(), new ImageFetcher(imagePolicy()),
                decodeLimits, model.config().vision().imageSize());
        modelName = messaging.modelName().orElse(CheckpointLocation.modelName(dir));
        metrics.bind(modelName, engine::stats);
        state = State.READY;
        LOG.infof("model %s loaded from %s on %s; engine %s", modelName, dir, placement, config);
    }

    private DecodeLimits decodeLimits() {
        try {
            DecodeBudget budget = DecodeBudget.forImagesUpTo(messaging.maxImagePixels(), messaging.maxDecodingPixels());
            return new DecodeLimits(messaging.maxImagePixels(), messaging.maxDecodeTime(), budget);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trol.messaging.max-decoding-pixels, max-image-pixels or max-decode-time: "
                    + e.getMessage(), e);
        }
    }

    private ImageFetcher.Policy imagePolicy() {
        return new ImageFetcher.Policy(messaging.imageFileRoot(), false,
                java.util.Set.copyOf(messaging.imageHttpHosts().orElse(List.of())), messaging.imageConnectTimeout(),
                messaging.imageReadTimeout(), RequestLimits.DEFAULTS.maxInlineImageBytes());
    }

    private RequestLimits requestLimits() {
        return RequestLimits.DEFAULTS.withMaxIdBytes(messaging.maxIdBytes());
    }

    /** Lets running requests finish for up to {@code grace}; the engine cancels the rest. */
    public synchronized void stop(Duration grace) {
        if (state != State.READY) {
            return;
        }
        state = State.STOPPING;
        engine.shutdown(grace);
        model.close();
        tokenizer.close();
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
        Engine running = engine;
        return state == State.STOPPING || running != null && !running.isAlive();
    }

    public Optional<Engine> engine() {
        return Optional.ofNullable(engine);
    }

    @Override
    public RequestParser parser() {
        return parser;
    }

    @Override
    public RequestPreparation.Outcome prepare(io.trolserve.messaging.contract.TrolRequest request) {
        return preparation.prepare(request);
    }

    @Override
    public void submit(EngineRequest request, RequestListener listener) {
        Engine running = engine;
        if (running == null || state != State.READY) {
            throw new EngineClosedException();
        }
        running.submit(request, listener);
    }

    @Override
    public String modelName() {
        return modelName;
    }
}
