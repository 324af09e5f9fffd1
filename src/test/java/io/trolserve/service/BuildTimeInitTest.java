package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.trolserve.NativeReflection;

/**
 * A native build initialises every class while the image is built, except the run-time entries
 * of {@code quarkus.native.additional-build-args} (application.properties, "Native build"). A
 * static initialiser that starts a thread or loads a native library would do so in the image
 * builder: the build fails ("started Thread in the image heap"), or worse, the image holds
 * addresses from the builder's process. Without a native toolchain here, this test stands in:
 * every other class of ours is initialised in a fresh JVM, and none may do either.
 */
class BuildTimeInitTest {

    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final String RUN_TIME = "--initialize-at-run-time=";

    @Test
    void noClassInitialisedAtBuildTimeStartsAThreadOrLoadsANativeLibrary() throws Exception {
        List<String> runTime = runTimeEntries();

        assertThat(runTime).contains("org.bytedeco", "io.trolserve.model.Ops");
        ChildRun run = initialiseInChild("io.trolserve.", runTime);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("the scan found our classes").containsPattern("initialised [1-9][0-9]{2,}");
    }

    /** The check can fail: without its run-time entry, Ops loads libtorch and JavaCPP starts its thread. */
    @Test
    void opsWithoutItsRunTimeEntryIsCaught() throws Exception {
        ChildRun run = initialiseInChild("io.trolserve.model.Ops", List.of("org.bytedeco"));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("io.trolserve.model.Ops loaded ")
                .containsPattern("io.trolserve.model.Ops started thread \"[^\"]*Deallocator");
    }

    @Test
    void runTimeEntriesNameClassesAndPackagesAsNativeImageDoes() {
        List<String> entries = List.of("org.bytedeco", "io.trolserve.model.Ops");

        assertThat(initialisedAtRunTime("org.bytedeco.javacpp.Pointer", entries)).isTrue();
        assertThat(initialisedAtRunTime("io.trolserve.model.Ops", entries)).isTrue();
        assertThat(initialisedAtRunTime("io.trolserve.model.OpsHelper", entries)).isFalse();
        assertThat(initialisedAtRunTime("io.trolserve.torch.Libtorch", entries)).isFalse();
    }

    /** A class is initialised at run time when an entry names it or a package it is in. */
    static boolean initialisedAtRunTime(String className, List<String> entries) {
        return entries.stream().anyMatch(e -> className.equals(e) || className.startsWith(e + "."));
    }

    /** The {@code --initialize-at-run-time} entries of the native build's arguments. */
    static List<String> runTimeEntries() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(APPLICATION_PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        List<String> entries = new ArrayList<>();
        for (String argument : properties.getProperty("quarkus.native.additional-build-args", "").split(",")) {
            if (argument.trim().startsWith(RUN_TIME)) {
                entries.add(argument.trim().substring(RUN_TIME.length()));
            }
        }
        return entries;
    }

    private record ChildRun(int exitCode, String output) {
    }

    private static ChildRun initialiseInChild(String prefix, List<String> runTime)
            throws IOException, InterruptedException, URISyntaxException {
        Path classes = Path.of(NativeReflection.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                BuildTimeInitChild.class.getName(), classes.toString(), prefix, String.join(",", runTime))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new ChildRun(child.exitValue(), output);
    }
}
