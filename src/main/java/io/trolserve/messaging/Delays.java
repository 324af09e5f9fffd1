package io.trolserve.messaging;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs an action later; tests pass one that runs it at once or when told. */
@FunctionalInterface
public interface Delays {

    void after(Duration delay, Runnable action);

    /** One daemon thread for every retry of the process: retries are rare and their actions only send. */
    static Delays onDaemonThread(String name) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        return (delay, action) -> executor.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
