package io.trolserve.engine;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.pytorch.InferenceMode;
import org.jboss.logging.Logger;

import io.trolserve.model.Libtorch;
import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;

/**
 * The engine thread: the only thread that runs the model or touches the KV pool. Other threads
 * talk to it through its inbox ({@link #submit}, {@link #cancel}) and hear back through each
 * request's {@link RequestListener}, called on this thread.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Engine.class);
    private static final long IDLE_POLL_MILLIS = 50;

    private sealed interface Command permits Submit, Cancel {
    }

    private record Submit(EngineRequest request, RequestListener listener) implements Command {
    }

    private record Cancel(String requestId) implements Command {
    }

    private final TrolModel model;
    private final TrolTokenizer tokenizer;
    private final EngineConfig config;
    private final BlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final AtomicReference<EngineStats> stats = new AtomicReference<>(EngineStats.EMPTY);
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    private volatile Throwable failure;

    private Engine(TrolModel model, TrolTokenizer tokenizer, EngineConfig config) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.thread = new Thread(this::loop, "trol-engine");
    }

    /** Starts the engine thread; the model and tokenizer stay owned by the caller. */
    public static Engine start(TrolModel model, TrolTokenizer tokenizer, EngineConfig config) {
        Engine e = new Engine(model, tokenizer, config);
        e.thread.start();
        return e;
    }

    public void submit(EngineRequest request, RequestListener listener) {
        if (!accepting) {
            throw new EngineClosedException();
        }
        inbox.add(new Submit(request, listener));
    }

    public void cancel(String requestId) {
        inbox.add(new Cancel(requestId));
    }

    public EngineStats stats() {
        return stats.get();
    }

    /** False once the engine thread has died; liveness reports it. */
    public boolean isAlive() {
        return thread.isAlive() && failure == null;
    }

    private void loop() {
        Libtorch.prepareComputeThread();
        try (InferenceMode guard = new InferenceMode();
             EngineCore core = new EngineCore(model, tokenizer, config)) {
            while (accepting || core.hasWork() || !inbox.isEmpty()) {
                drainInbox(core, !core.hasWork());
                if (System.nanoTime() > drainDeadlineNanos) {
                    break;   // close() cancels what is left
                }
                core.step();
                stats.set(core.stats());
            }
            // anything submitted while shutting down still gets its answer (CANCELLED, from close)
            drainInbox(core, false);
        } catch (Throwable t) {
            failure = t;
            LOG.error("the engine thread died", t);
        }
    }

    private void drainInbox(EngineCore core, boolean idle) {
        try {
            Command first = idle ? inbox.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS) : inbox.poll();
            for (Command c = first; c != null; c = inbox.poll()) {
                if (c instanceof Submit s) {
                    core.submit(s.request(), s.listener());
                } else if (c instanceof Cancel k) {
                    core.cancel(k.requestId());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            accepting = false;
        }
    }

    /**
     * Stops taking requests, lets those inside finish for up to {@code grace}, then ends the rest
     * as CANCELLED and frees the KV pool.
     */
    public void shutdown(Duration grace) {
        accepting = false;
        drainDeadlineNanos = System.nanoTime() + grace.toNanos();
        try {
            thread.join(grace.toMillis() + 60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
