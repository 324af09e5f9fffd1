package io.trolserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The two images' Dockerfiles, read as text (no Docker engine here to build them): non-root,
 * health-checked on the service's readiness endpoint, java as PID 1 for SIGTERM, and the Quarkus
 * fast-jar layout copied whole.
 */
class DockerfilesTest {

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.gpu"})
    void theImageRunsTheServiceAsANonRootUserWithAHealthCheck(String name) throws Exception {
        List<String> lines = instructions(Path.of("src/main/docker", name));
        List<String> last = finalStage(lines);

        String user = lastArgument(last, "USER");
        assertThat(user).as("USER").isNotNull().isNotIn("root", "0");
        assertThat(first(last, "HEALTHCHECK")).contains("/q/health/ready").contains(":8080/");
        assertThat(lastArgument(last, "EXPOSE")).isEqualTo("8080");

        JsonNode entrypoint = new ObjectMapper().readTree(lastArgument(last, "ENTRYPOINT"));
        assertThat(entrypoint.isArray()).as("exec form: java is PID 1 and gets SIGTERM").isTrue();
        assertThat(entrypoint.get(0).asText()).isEqualTo("java");
        assertThat(lastArgument(last, "CMD")).isEqualTo("[\"serve\"]");

        for (String part : List.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar", "target/quarkus-app/app/",
                "target/quarkus-app/quarkus/")) {
            assertThat(last).as("copies " + part).anySatisfy(l -> assertThat(l).startsWith("COPY " + part));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.gpu"})
    void theGpuImageStartsFromACuda13RuntimeWithCudnn(String name) {
        List<String> lines = instructions(Path.of("src/main/docker", name));
        String arg = lines.stream().filter(l -> l.startsWith("ARG CUDA_IMAGE=")).findFirst().orElseThrow();
        assertThat(arg).startsWith("ARG CUDA_IMAGE=nvidia/cuda:13.").contains("-cudnn-runtime-");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("FROM ${CUDA_IMAGE}"));
        // the jar check runs on the copied libraries; without -Pgpu, libtorch never sees the GPU
        assertThat(String.join("\n", lines)).contains("linux-x86_64-gpu").contains("libcudnn.so.9").contains("libcublasLt.so.13");
    }

    /** Instructions with continuation lines joined and comments dropped. */
    private static List<String> instructions(Path file) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : DeployFiles.read(file).split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            if (!current.toString().isBlank()) {
                out.add(current.toString().strip());
            }
            current.setLength(0);
        }
        return out;
    }

    private static List<String> finalStage(List<String> lines) {
        int from = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                from = i;
            }
        }
        return lines.subList(from, lines.size());
    }

    private static String first(List<String> lines, String instruction) {
        return lines.stream().filter(l -> l.startsWith(instruction + " ")).findFirst().orElse(null);
    }

    private static String lastArgument(List<String> lines, String instruction) {
        String found = null;
        for (String l : lines) {
            if (l.startsWith(instruction + " ")) {
                found = l.substring(instruction.length() + 1).strip();
            }
        }
        return found;
    }
}
