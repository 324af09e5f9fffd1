package io.trolserve.cli;

import java.util.concurrent.Callable;

import io.quarkus.runtime.Quarkus;
import io.trolserve.service.ServiceLifecycle;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

/** The Kafka service; what runs when no subcommand is given and what {@code quarkus:dev} runs. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Answer image-questions from Kafka (trol.requests -> trol.tokens, trol.answers) until stopped.")
public class ServeCommand implements Callable<Integer> {

    @Inject
    ServiceLifecycle lifecycle;

    @Override
    public Integer call() {
        // SIGTERM starts the same orderly shutdown as Quarkus' hook, but as a normal exit (code 0), so
        // an orchestrator can tell a clean stop from a crash
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> Quarkus.asyncExit(0));
        lifecycle.start();
        Quarkus.waitForExit();
        return 0;
    }
}
