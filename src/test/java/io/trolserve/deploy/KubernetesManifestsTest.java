package io.trolserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.trolserve.messaging.Topics;

/**
 * deploy/kubernetes, offline: every manifest passes its schema (KubernetesSchemas), a manifest
 * with one defect does not, and the bundle agrees with itself and with the service (grace period,
 * consumer group, topic, partitions, health paths).
 */
class KubernetesManifestsTest {

    private final KubernetesSchemas schemas = new KubernetesSchemas();
    private final List<DeployFiles.Document> bundle = DeployFiles.manifests();

    @Test
    void everyManifestPassesItsSchema() {
        assertThat(bundle).extracting(DeployFiles.Document::kind).containsExactlyInAnyOrder(
                "ConfigMap", "Deployment", "Job", "PersistentVolumeClaim", "PodDisruptionBudget", "ScaledObject",
                "Service", "TriggerAuthentication");
        for (DeployFiles.Document doc : bundle) {
            assertThat(schemas.validate(doc)).as(doc.toString()).isEmpty();
        }
    }

    @Test
    void theKustomizationListsEveryManifestAndNothingElse() {
        JsonNode k = DeployFiles.yamlFile(DeployFiles.KUBERNETES.resolve("kustomization.yaml"));
        assertThat(k.path("kind").asText()).isEqualTo("Kustomization");
        Set<String> listed = new TreeSet<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new TreeSet<>();
        DeployFiles.manifestFiles().forEach(f -> files.add(f.getFileName().toString()));
        assertThat(listed).isEqualTo(files);
        assertThat(k.path("images").findValuesAsText("name")).contains(container().path("image").asText().split(":")[0]);
    }

    /** The real file with one defect, the fragment the report must name. */
    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                Arguments.of("deployment.yaml", "livenessProbe:", "livenesProbe:", "livenesProbe"),
                Arguments.of("deployment.yaml", "containerPort: 8080", "containerPort: \"8080\"", "containerPort"),
                Arguments.of("deployment.yaml", "          image: trol-serve:gpu\n", "", "image is required"),
                Arguments.of("deployment.yaml", "prometheus.io/scrape: \"true\"", "prometheus.io/scrape: true", "annotations"),
                Arguments.of("deployment.yaml", "claimName: trol-models", "claimName: [trol-models]", "claimName"),
                Arguments.of("deployment.yaml", "mountPath: /tmp", "mountPath: /tmp\n              mountPropagaton: None",
                        "mountPropagaton"),
                Arguments.of("pdb.yaml", "  maxUnavailable: 1\n", "  maxUnavailable: 1\n  minAvailable: 1\n", "exactly one"),
                Arguments.of("topics-job.yaml", "restartPolicy: OnFailure", "restartPolicy: Always", "restartPolicy"),
                Arguments.of("keda-scaledobject.yaml", "maxReplicaCount: 6", "maxReplicas: 6", "maxReplicas"),
                Arguments.of("keda-scaledobject.yaml", "lagThreshold: \"64\"", "lagThreshhold: \"64\"", "lagThreshhold"),
                Arguments.of("keda-scaledobject.yaml", "lagThreshold: \"64\"", "lagThreshold: 64", "lagThreshold"),
                Arguments.of("keda-scaledobject.yaml", "sasl: scram_sha512", "sasl: SCRAM-SHA-512", "sasl"),
                Arguments.of("keda-scaledobject.yaml", "  scaleTargetRef:\n    name: trol-serve\n", "", "scaleTargetRef"),
                Arguments.of("deployment.yaml", "                path: public-key.pem\n", "", "items[].path"),
                Arguments.of("deployment.yaml", "            name: trol-jwt-public-key\n", "", "configMap.name"),
                Arguments.of("keda-trigger-auth.yaml", "      key: ca.crt\n", "", "key"),
                Arguments.of("service.yaml", "apiVersion: v1", "apiVersion: v2", "no schema for v2/Service"));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("brokenManifests")
    void aManifestWithOneDefectFails(String file, String from, String to, String named) {
        String good = DeployFiles.read(DeployFiles.KUBERNETES.resolve(file));
        assertThat(good).as("the defect's anchor is in " + file).contains(from);
        List<String> problems = new ArrayList<>();
        for (DeployFiles.Document doc : DeployFiles.documents(file, good.replace(from, to))) {
            problems.addAll(schemas.validate(doc));
        }
        assertThat(problems).as(file + " with " + to.strip()).anySatisfy(p -> assertThat(p).contains(named));
    }

    @Test
    void duplicateKeysAreRefusedNotMerged() {
        String twice = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  K: one\n  K: two\n";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeployFiles.documents("inline", twice))
                .hasMessageContaining("Duplicate field 'K'");
    }

    @Test
    void theTerminationGracePeriodCoversTheServicesShutdownGrace() {
        Duration codeDefault = DeployFiles.defaultShutdownGrace();
        Duration configured = DeployFiles.duration(config().path("TROL_MESSAGING_SHUTDOWN_GRACE").asText());
        assertThat(configured).as("the ConfigMap states the code's default").isEqualTo(codeDefault);

        JsonNode pod = deployment().path("spec").path("template").path("spec");
        long preStop = Long.parseLong(container().path("lifecycle").path("preStop").path("exec").path("command").get(1).asText());
        long period = pod.path("terminationGracePeriodSeconds").asLong();
        // the kubelet counts preStop into the period; after the grace the service still commits and closes its clients
        assertThat(period).isGreaterThan(preStop + configured.toSeconds())
                .isLessThanOrEqualTo(preStop + configured.toSeconds() + 30);
    }

    @Test
    void probesUseTheServicesHealthEndpointsOnADeclaredPort() {
        JsonNode c = container();
        Set<String> portNames = new TreeSet<>(c.path("ports").findValuesAsText("name"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(portNames).as(probe).contains(c.path(probe).path("httpGet").path("port").asText());
        }
        assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
        assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
        assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        JsonNode annotations = deployment().path("spec").path("template").path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo(DeployFiles.metricsPath());
        assertThat(annotations.path("prometheus.io/port").asInt()).isEqualTo(8080);
    }

    /**
     * The ConfigMap switches on the permission application.properties declares (off there, so the
     * embedded defaults stay open) and points smallrye-jwt at the key the Deployment mounts; the
     * paths it guards leave the probes and the metrics scrape alone.
     */
    @Test
    void bearerTokensGuardTheApiButNotTheProbesOrTheScrape() {
        java.util.Properties app = DeployFiles.applicationProperties();
        String permission = "quarkus.http.auth.permission.api.";
        assertThat(app.getProperty(permission + "paths")).isEqualTo("/v1/*");
        assertThat(app.getProperty(permission + "policy")).isEqualTo("authenticated");
        assertThat(app.getProperty(permission + "enabled")).as("off on the embedded defaults").isEqualTo("false");
        assertThat(config().path(DeployFiles.envName(permission + "enabled")).asText()).isEqualTo("true");

        List<String> guarded = List.of(app.getProperty(permission + "paths").split(","));
        List<String> open = new ArrayList<>(List.of(DeployFiles.metricsPath()));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            open.add(container().path(probe).path("httpGet").path("path").asText());
        }
        for (String path : open) {
            assertThat(guarded).as(path).noneSatisfy(g -> assertThat(DeployFiles.permissionCovers(g, path)).isTrue());
        }
        assertThat(guarded).allSatisfy(g -> assertThat(DeployFiles.permissionCovers(g, "/v1/answers/x/tokens")).isTrue());

        JsonNode jwt = volume("jwt").path("configMap");
        String keyFile = jwt.path("items").get(0).path("path").asText();
        assertThat(config().path("MP_JWT_VERIFY_PUBLICKEY_LOCATION").asText()).isEqualTo(mountPathOf("jwt") + "/" + keyFile);
        assertThat(config().path("MP_JWT_VERIFY_ISSUER").asText()).startsWith("https://");
    }

    @Test
    void eachPodGetsOneGpu() {
        JsonNode resources = container().path("resources");
        assertThat(resources.path("requests").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(resources.path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(config().path("TROL_DEVICE").asText()).isEqualTo("cuda");
    }

    @Test
    void selectorsOfServiceAndBudgetPickTheDeploymentsPods() {
        Map<String, String> podLabels = strings(deployment().path("spec").path("template").path("metadata").path("labels"));
        JsonNode service = DeployFiles.only(bundle, "Service").tree();
        JsonNode pdb = DeployFiles.only(bundle, "PodDisruptionBudget").tree();
        assertThat(podLabels).containsAllEntriesOf(strings(service.path("spec").path("selector")));
        assertThat(podLabels).containsAllEntriesOf(strings(pdb.path("spec").path("selector").path("matchLabels")));
        Map<String, String> jobPodLabels = strings(DeployFiles.only(bundle, "Job").tree()
                .path("spec").path("template").path("metadata").path("labels"));
        assertThat(jobPodLabels).as("the topics Job is no part of the service's budget")
                .doesNotContainEntry("app.kubernetes.io/name", podLabels.get("app.kubernetes.io/name"));
    }

    @Test
    void kedaScalesTheServicesGroupWithinThePartitionCount() {
        JsonNode so = DeployFiles.only(bundle, "ScaledObject").tree().path("spec");
        assertThat(so.path("scaleTargetRef").path("name").asText()).isEqualTo(deployment().path("metadata").path("name").asText());
        int min = so.path("minReplicaCount").asInt();
        int max = so.path("maxReplicaCount").asInt();
        assertThat(min).isBetween(1, max);

        JsonNode trigger = so.path("triggers").get(0);
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        JsonNode meta = trigger.path("metadata");
        assertThat(meta.path("consumerGroup").asText()).isEqualTo(DeployFiles.requestsGroup());
        String requests = DeployFiles.requestsTopic();
        assertThat(meta.path("topic").asText()).isEqualTo(requests);
        assertThat(config().has(meta.path("bootstrapServersFromEnv").asText())).as("bootstrap servers from the ConfigMap").isTrue();
        assertThat(max).as("replicas beyond the partitions of " + requests + " would idle")
                .isLessThanOrEqualTo(topicsJob().get(requests));
        assertThat(meta.path("offsetResetPolicy").asText())
                .isEqualTo(DeployFiles.applicationProperties()
                        .getProperty(DeployFiles.channelKey("incoming", Topics.REQUESTS, "auto.offset.reset")));

        String auth = trigger.path("authenticationRef").path("name").asText();
        assertThat(DeployFiles.only(bundle, "TriggerAuthentication").name()).isEqualTo(auth);
    }

    @Test
    void kedaLogsInWithTheSameSecretsAsTheService() {
        Set<String> serviceRefs = new TreeSet<>();
        container().path("env").forEach(e -> {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode()) {
                serviceRefs.add(ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        });
        deployment().path("spec").path("template").path("spec").path("volumes").forEach(v -> {
            if (v.has("secret")) {
                serviceRefs.add(v.path("secret").path("secretName").asText() + "/ca.crt");
            }
        });
        Set<String> kedaRefs = new TreeSet<>();
        DeployFiles.only(bundle, "TriggerAuthentication").tree().path("spec").path("secretTargetRef")
                .forEach(r -> kedaRefs.add(r.path("name").asText() + "/" + r.path("key").asText()));
        assertThat(kedaRefs).isEqualTo(serviceRefs);
        assertThat(config().path("KAFKA_SSL_TRUSTSTORE_LOCATION").asText()).startsWith(mountPathOf("kafka-tls") + "/")
                .endsWith("/ca.crt");
    }

    @Test
    void secretsNeverReachTheKafkaClientsAsUnintendedSettings() {
        // Quarkus hands every KAFKA_* variable to the clients: only the composed JAAS line may be one
        container().path("env").forEach(e -> {
            String name = e.path("name").asText();
            if (e.path("valueFrom").has("secretKeyRef")) {
                assertThat(name).as("a secret-backed variable").doesNotStartWithIgnoringCase("kafka");
            }
        });
        assertThat(deployment().path("spec").path("template").path("spec").path("enableServiceLinks").asBoolean(true)).isFalse();
    }

    @Test
    void referencedConfigMapAndClaimAreInTheBundle() {
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        assertThat(container().path("envFrom").get(0).path("configMapRef").path("name").asText())
                .isEqualTo(DeployFiles.only(bundle, "ConfigMap").name());
        List<String> claims = pod.path("volumes").findValuesAsText("claimName");
        assertThat(claims).containsExactly(DeployFiles.only(bundle, "PersistentVolumeClaim").name());
        assertThat(config().path("TROL_MODEL_PATH").asText()).startsWith(mountPathOf("models") + "/");
    }

    private JsonNode deployment() {
        return DeployFiles.only(bundle, "Deployment").tree();
    }

    private JsonNode container() {
        return deployment().path("spec").path("template").path("spec").path("containers").get(0);
    }

    private JsonNode config() {
        return DeployFiles.only(bundle, "ConfigMap").tree().path("data");
    }

    private Map<String, Integer> topicsJob() {
        for (JsonNode e : DeployFiles.only(bundle, "Job").tree().findValue("env")) {
            if (e.path("name").asText().equals("TOPICS")) {
                return DeployFiles.topicSpecs(e.path("value").asText());
            }
        }
        throw new AssertionError("the topics Job has no TOPICS");
    }

    private JsonNode volume(String name) {
        for (JsonNode v : deployment().path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private String mountPathOf(String volume) {
        for (JsonNode m : container().path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("no mount of " + volume);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new java.util.TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
