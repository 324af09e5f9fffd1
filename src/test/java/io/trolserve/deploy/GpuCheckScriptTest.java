package io.trolserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/gpu-check.sh is wired: executable, valid bash, its --dry-run documented and selecting the
 * CPU stand-ins, and it refuses, with exit code 2 and a message, to run where a requirement is
 * missing, before anything slow. The full dry run (a few minutes on 2 cores: builds, a Maven test
 * run, several model loads) is left out of the suite; BENCHMARKS.md records one.
 */
class GpuCheckScriptTest {

    private static final Path SCRIPT = Path.of("tools/gpu-check.sh");

    @TempDir
    Path work;

    @Test
    void isExecutableAndParses() throws Exception {
        assertThat(Files.isExecutable(SCRIPT)).isTrue();
        assertThat(run("bash", "-n", SCRIPT.toString()).exit).isZero();
    }

    @Test
    void helpDocumentsTheDryRunAndWhatTheHostNeeds() throws Exception {
        Result r = run(SCRIPT.toString(), "--help");
        assertThat(r.exit).isZero();
        assertThat(r.output).contains("--dry-run", "--app DIR", "CUDA 13", "cuDNN 9", "MAVEN_REPO", "offline");
    }

    @Test
    void dryRunSwapsInCpuAndSmallSizes() throws IOException {
        String script = Files.readString(SCRIPT);
        String dryBranch = script.substring(script.indexOf("if [ $DRY = 1 ]; then"), script.indexOf("declare -a SUMMARY"));
        assertThat(dryBranch).contains("ACC=cpu", "BIG_PRESET=tiny", "AGREE_TOKENS=16", "ACC=cuda",
                "BIG_PRESET=trol-1.8b", "AGREE_TOKENS=256");
    }

    @Test
    void unknownArgumentsAreRefused() throws Exception {
        Result r = run(SCRIPT.toString(), "--no-such-flag");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("unknown argument");
    }

    @Test
    void withoutAGpuItStopsAtOnceWithExitCode2() throws Exception {
        assumeTrue(run("sh", "-c", "command -v nvidia-smi").exit != 0, "this host has nvidia-smi");
        Result r = run(SCRIPT.toString(), "--work", work.resolve("work").toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("no GPU", "--dry-run");
        assertThat(work.resolve("work")).as("nothing is created before the checks pass").doesNotExist();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished").isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
