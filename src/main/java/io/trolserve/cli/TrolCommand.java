package io.trolserve.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar quarkus-run.jar <subcommand>}: the one entry point of the jar. */
@TopCommand
@Command(name = "trol-serve", mixinStandardHelpOptions = true,
        description = "TroL vision-language inference: answers image-questions with a TroL checkpoint.",
        subcommands = {GenerateCommand.class, InitTinyCommand.class, BenchCommand.class})
public class TrolCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
