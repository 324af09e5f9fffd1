package io.trolserve.cli;

import java.util.concurrent.Callable;

import io.trolserve.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar quarkus-run.jar [subcommand]}: without a subcommand it serves. */
@Command(name = "trol-serve", mixinStandardHelpOptions = true,
        description = "TroL vision-language inference: answers image-questions with a TroL checkpoint.",
        subcommands = {ServeCommand.class, GenerateCommand.class, AskCommand.class, InitTinyCommand.class,
            BenchCommand.class})
public class TrolCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Object serve = spec.subcommands().get("serve").getCommand();
        return ((ServeCommand) serve).call();
    }
}
