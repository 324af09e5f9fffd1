package io.trolserve.engine;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.pytorch.InferenceMode;
import org.jboss.logging.Logger;

import io.trolserve.model.TrolModel;
import io.trolserve.text.TrolTokenizer;
import io.trolserve.torch.Libtorch;

/**
 * The engine thread: the only thread that runs the model or touches the KV pool. Other threads
 * talk to it through its inbox ({@link #submit}, {@link #cancel}) and hear back through each
 * request's {@link RequestListener}, called on this thread.
 *
 * <p>Its health is read from what only this thread writes (when its last step finished, the
 * stats snapshot saying how many requests it holds), never from the engine's own state: a
 * watchdog must not wait on, or race with, the thread it watches. An idle engine still ends a step
 * every idle poll.
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
    private volatile long lastStepEndNanos = System.nanoTime();

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

    /**
     * Queues a request for the engine thread.
     *
     * @throws EngineClosedException when shutdown has begun or the engine thread is gone: nobody
     *                               would ever answer the request
     */
    public void submit(EngineRequest request, RequestListener listener) {
        if (!accepting) {
            throw new EngineClosedException();
        }
        if (!isAlive()) {
            throw gone();
        }
        Submit s = new Submit(request, listener);
        inbox.add(s);
        // the thread may have died between the check and the add; if it never took the request, take it back
        if (!isAlive() && inbox.remove(s)) {
            throw gone();
        }
    }

    private EngineClosedException gone() {
        Throwable f = failure;
        return new EngineClosedException(f != null ? "the engine thread has died: " + f : "the engine has shut down");
    }

    public void cancel(String requestId) {
        inbox.add(new Cancel(requestId));
    }

    public EngineStats stats() {
        return stats.get();
    }

    /** False once the engine thread has died or ended. */
    public boolean isAlive() {
        return thread.isAlive() && failure == null;
    }

    /**
     * Cheap and safe from any thread. DEAD once the thread has ended; STALLED when no step has
     * finished for {@code stallTimeout} while requests wait in the inbox or the engine.
     */
    public EngineHealth health(Duration stallTimeout) {
        Throwable f = failure;
        if (f != null) {
            return new EngineHealth(EngineHealth.Status.DEAD, "the engine thread died: " + f);
        }
        if (!thread.isAlive()) {
            return new EngineHealth(EngineHealth.Status.DEAD, "the engine thread has ended (shut down)");
        }
        long quietNanos = System.nanoTime() - lastStepEndNanos;
        EngineStats s = stats.get();
        int held = s.running() + s.waiting();
        int submitted = inbox.size();
        if (held + submitted > 0 && quietNanos > stallTimeout.toNanos()) {
            return new EngineHealth(EngineHealth.Status.STALLED, String.format(
                    "no engine step has finished for %d ms (stall timeout %d ms) while work waits: %d requests in "
                            + "the engine, %d not yet taken", quietNanos / 1_000_000, stallTimeout.toMillis(), held,
                    submitted));
        }
        return EngineHealth.ALIVE;
    }

    private void loop() {
        try {
            Libtorch.prepareComputeThread();
            try (InferenceMode guard = new InferenceMode();
                 EngineCore core = new EngineCore(model, tokenizer, config)) {
                try {
                    serve(core);
                } catch (Throwable t) {
                    failure = t;   // before close() ends the requests inside: submit refuses from here on
                    throw t;
                }
            }
        } catch (Throwable t) {
            failure = t;
            LOG.error("the engine thread died", t);
        }
    }

    private void serve(EngineCore core) {
        while (accepting || core.hasWork() || !inbox.isEmpty()) {
            drainInbox(core, !core.hasWork());
            stats.set(core.stats());   // requests just taken count as held, for the watchdog and the dashboard
            if (System.nanoTime() > drainDeadlineNanos) {
                break;   // close() cancels what is left
            }
            core.step();
            stats.set(core.stats());
            lastStepEndNanos = System.nanoTime();
        }
        // anything submitted while shutting down still gets its answer (CANCELLED, from close)
        drainInbox(core, false);
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
