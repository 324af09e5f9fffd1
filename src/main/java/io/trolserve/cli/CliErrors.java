package io.trolserve.cli;

import io.trolserve.model.checkpoint.CheckpointException;
import io.trolserve.text.TokenizerException;
import io.trolserve.vision.ImageDecodeException;
import picocli.CommandLine;

/** Bad input on the command line ends with one clear line on stderr and exit code 2, not a stack trace. */
public final class CliErrors {

    static final int BAD_INPUT = 2;

    private CliErrors() {
    }

    public static int handle(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) throws Exception {
        if (ex instanceof CheckpointException || ex instanceof TokenizerException
                || ex instanceof IllegalArgumentException || ex instanceof ImageDecodeException) {
            commandLine.getErr().println("error: " + ex.getMessage());
            return BAD_INPUT;
        }
        throw ex;
    }
}
