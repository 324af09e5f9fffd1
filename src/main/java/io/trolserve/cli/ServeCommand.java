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
        lifecycle.start();
        Quarkus.waitForExit();
        return 0;
    }
}
