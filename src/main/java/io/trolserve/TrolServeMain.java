package io.trolserve;

import java.util.Arrays;
import java.util.Optional;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.trolserve.cli.CliErrors;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * The jar's entry point. Every subcommand boots the same Quarkus application, but only
 * {@code serve} should open Kafka clients or an HTTP port: any other subcommand runs with the
 * {@code cli} profile added, which disables the messaging channels and the HTTP listener
 * (application.properties). The profile must be chosen before Quarkus boots, hence this main.
 */
@QuarkusMain
public class TrolServeMain implements QuarkusApplication {

    static final String CLI_PROFILE = "cli";

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        if (!runsService(args)) {
            String active = Optional.ofNullable(System.getProperty("quarkus.profile"))
                    .or(() -> Optional.ofNullable(System.getenv("QUARKUS_PROFILE"))).orElse("prod");
            System.setProperty("quarkus.profile", active + "," + CLI_PROFILE);
        }
        Quarkus.run(TrolServeMain.class, args);
    }

    /** No subcommand (only options, or nothing) or {@code serve} means the service. */
    static boolean runsService(String[] args) {
        return Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().map("serve"::equals).orElse(
                Arrays.stream(args).noneMatch(a -> a.equals("-h") || a.equals("--help") || a.equals("-V")
                        || a.equals("--version")));
    }

    @Override
    public int run(String... args) {
        CommandLine commandLine = new CommandLine(TrolCommand.class, factory);
        commandLine.setExecutionExceptionHandler(CliErrors::handle);
        return commandLine.execute(args);
    }
}
