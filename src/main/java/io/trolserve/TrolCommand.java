package io.trolserve;

import java.util.concurrent.Callable;

import io.trolserve.cli.AskCommand;
import io.trolserve.cli.GenerateCommand;
import io.trolserve.cli.InitTinyCommand;
import io.trolserve.cli.ServeCommand;
import io.trolserve.cli.TrainTinyCommand;
import io.trolserve.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar quarkus-run.jar [subcommand]}: without a subcommand it serves. It sits beside
 * the entry point, above {@code cli} and {@code cli.bench}, so that the benchmarks may use the
 * command line's shared options without the two packages importing each other.
 */
@Command(name = "trol-serve", mixinStandardHelpOptions = true,
        description = "TroL vision-language inference: answers image-questions with a TroL checkpoint.",
        subcommands = {ServeCommand.class, GenerateCommand.class, AskCommand.class, InitTinyCommand.class,
            TrainTinyCommand.class, BenchCommand.class})
public class TrolCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Object serve = spec.subcommands().get("serve").getCommand();
        return ((ServeCommand) serve).call();
    }
}
