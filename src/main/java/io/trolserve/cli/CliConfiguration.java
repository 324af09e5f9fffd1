package io.trolserve.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.vision.ImageDecodeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** Bad input on the command line ends with one clear line on stderr and exit code 2, not a stack trace. */
@ApplicationScoped
public class CliConfiguration {

    static final int BAD_INPUT = 2;

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return factory.create().setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (isBadInput(ex)) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return BAD_INPUT;
            }
            throw ex;
        });
    }

    private static boolean isBadInput(Exception ex) {
        return ex instanceof CheckpointException || ex instanceof IllegalArgumentException
                || ex instanceof ImageDecodeException;
    }
}
