package io.trolserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.messaging.Topics;

/**
 * docker-compose.yml agrees with the service and with deploy/: the topics the service uses are
 * created with the partitions the Kubernetes bundle assumes, each variant reaches the broker, finds
 * its model and gets time for its graceful shutdown, and Prometheus scrapes it. (Compose's own
 * schema is checked by `docker-compose config -q` in CI.)
 */
class ComposeFileTest {

    private static final List<String> VARIANTS = List.of("trol-serve-gpu", "trol-serve-cpu");

    private final JsonNode services = DeployFiles.yamlFile(DeployFiles.COMPOSE).path("services");

    @Test
    void everyTopicTheServiceUsesIsCreatedWithTheBundlesPartitions() {
        Map<String, Integer> created = createdTopics();
        assertThat(DeployFiles.serviceTopics()).contains(Topics.REQUESTS, Topics.ANSWERS, Topics.TOKENS, Topics.REQUESTS_DLQ,
                Topics.LATENCY_STATS, Topics.SLO_ALERTS);
        assertThat(created).containsOnlyKeys(DeployFiles.serviceTopics().toArray(String[]::new));
        assertThat(created.get(DeployFiles.requestsTopic())).as("partitions bound the instances that share the work")
                .isGreaterThanOrEqualTo(2);

        JsonNode job = DeployFiles.only(DeployFiles.manifests(), "Job").tree();
        assertThat(DeployFiles.topicSpecs(topicsOf(job))).as("the Kubernetes topics Job").isEqualTo(created);
    }

    @Test
    void theBrokerCreatesNoTopicsItselfAndTakesInlineImages() {
        JsonNode env = services.path("kafka").path("environment");
        assertThat(env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
        long producerMax = Long.parseLong(DeployFiles.applicationProperties()
                .getProperty(DeployFiles.channelKey("outgoing", Topics.REST_REQUESTS, "max.request.size")));
        assertThat(env.path("KAFKA_MESSAGE_MAX_BYTES").asLong()).isGreaterThanOrEqualTo(producerMax);
        assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
    }

    @Test
    void eachVariantReachesTheBrokerAfterTheTopicsExist() {
        String internal = advertised("PLAINTEXT");
        for (String variant : VARIANTS) {
            JsonNode s = services.path(variant);
            assertThat(s.path("environment").path("KAFKA_BOOTSTRAP_SERVERS").asText()).as(variant).isEqualTo(internal);
            assertThat(s.path("depends_on").path("kafka-topics").path("condition").asText()).as(variant)
                    .isEqualTo("service_completed_successfully");
        }
        String topicsCommand = services.path("kafka-topics").path("command").get(0).asText();
        assertThat(topicsCommand).contains("--bootstrap-server " + internal);
    }

    @Test
    void theGpuVariantReservesAnNvidiaGpuAndTheCpuVariantRunsOnCpu() {
        JsonNode gpu = services.path("trol-serve-gpu");
        JsonNode device = gpu.path("deploy").path("resources").path("reservations").path("devices").get(0);
        assertThat(device.path("driver").asText()).isEqualTo("nvidia");
        assertThat(device.path("capabilities").get(0).asText()).isEqualTo("gpu");
        assertThat(device.path("count").asInt()).isEqualTo(1);
        assertThat(gpu.path("environment").path("TROL_DEVICE").asText()).isEqualTo("cuda");
        assertThat(gpu.path("build").path("dockerfile").asText()).isEqualTo("src/main/docker/Dockerfile.gpu");

        JsonNode cpu = services.path("trol-serve-cpu");
        assertThat(cpu.has("deploy")).isFalse();
        assertThat(cpu.path("environment").path("TROL_DEVICE").asText()).isEqualTo("cpu");
        assertThat(cpu.path("build").path("dockerfile").asText()).isEqualTo("src/main/docker/Dockerfile.jvm");
        for (String variant : VARIANTS) {
            assertThat(Path.of(services.path(variant).path("build").path("dockerfile").asText())).as(variant).exists();
            assertThat(services.path(variant).path("profiles").get(0).asText()).isEqualTo(variant.substring("trol-serve-".length()));
        }
    }

    @Test
    void theModelPathPointsIntoTheReadOnlyModelVolume() {
        for (String variant : VARIANTS) {
            JsonNode s = services.path(variant);
            String modelPath = interpolationDefault(s.path("environment").path("TROL_MODEL_PATH").asText());
            String mount = null;
            for (JsonNode v : s.path("volumes")) {
                // SOURCE:TARGET:MODE, where SOURCE may itself hold ":-" defaults: read from the right
                String spec = v.asText();
                int modeAt = spec.lastIndexOf(':');
                int targetAt = spec.lastIndexOf(':', modeAt - 1);
                if (targetAt > 0 && modelPath.startsWith(spec.substring(targetAt + 1, modeAt) + "/")) {
                    mount = spec.substring(modeAt + 1);
                }
            }
            assertThat(mount).as(variant + ": a volume holds " + modelPath).isEqualTo("ro");
        }
    }

    @Test
    void dockerWaitsLongerThanTheServicesShutdownGrace() {
        Duration grace = DeployFiles.defaultShutdownGrace();
        for (String variant : VARIANTS) {
            Duration stop = DeployFiles.duration(services.path(variant).path("stop_grace_period").asText());
            assertThat(stop).as(variant).isGreaterThan(grace).isLessThanOrEqualTo(grace.plusSeconds(30));
        }
    }

    @Test
    void prometheusScrapesEveryInstanceOnTheMetricsPath() {
        JsonNode prometheus = services.path("prometheus");
        String mounted = prometheus.path("volumes").get(0).asText().split(":")[0];
        assertThat(Path.of(mounted).normalize()).isEqualTo(DeployFiles.PROMETHEUS);

        JsonNode job = null;
        for (JsonNode j : DeployFiles.yamlFile(DeployFiles.PROMETHEUS).path("scrape_configs")) {
            if (j.path("job_name").asText().equals("trol-serve")) {
                job = j;
            }
        }
        assertThat(job).isNotNull();
        assertThat(job.path("metrics_path").asText()).isEqualTo(DeployFiles.metricsPath());
        JsonNode dns = job.path("dns_sd_configs").get(0);
        for (String variant : VARIANTS) {
            JsonNode s = services.path(variant);
            assertThat(s.path("networks").path("default").path("aliases").get(0).asText()).as(variant)
                    .isEqualTo(dns.path("names").get(0).asText());
            assertThat(s.path("ports").get(0).asText()).as(variant).endsWith(":" + dns.path("port").asInt());
        }
    }

    private Map<String, Integer> createdTopics() {
        return DeployFiles.topicSpecs(services.path("kafka-topics").path("environment").path("TOPICS").asText());
    }

    private static String topicsOf(JsonNode job) {
        for (JsonNode e : job.findValue("env")) {
            if (e.path("name").asText().equals("TOPICS")) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("the topics Job has no TOPICS");
    }

    /** host:port of the broker's listener with this name, from KAFKA_ADVERTISED_LISTENERS. */
    private String advertised(String listener) {
        for (String l : services.path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
            if (l.startsWith(listener + "://")) {
                return l.substring(listener.length() + 3);
            }
        }
        throw new AssertionError("no " + listener + " listener");
    }

    private static final Pattern INTERPOLATION = Pattern.compile("^\\$\\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)}$");

    /** What Compose substitutes when the variable is unset: ${VAR-x} and ${VAR:-x} give x. */
    private static String interpolationDefault(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        return m.matches() ? m.group(1) : value;
    }
}
