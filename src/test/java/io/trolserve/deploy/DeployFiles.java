package io.trolserve.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.WithDefault;
import io.trolserve.messaging.KafkaSettings;
import io.trolserve.messaging.MessagingSettings;
import io.trolserve.messaging.Topics;

/** The deployment files of the repository and the service facts they must agree with. */
final class DeployFiles {

    static final Path KUBERNETES = Path.of("deploy/kubernetes");
    static final Path SCHEMAS = Path.of("deploy/schemas");
    static final Path COMPOSE = Path.of("docker-compose.yml");
    static final Path PROMETHEUS = Path.of("deploy/prometheus/prometheus.yml");
    static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");

    /** A YAML reader that refuses duplicate keys (YAML allows them; the last would silently win). */
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private DeployFiles() {
    }

    /** One YAML document of a file; {@code index} counts from 0 within the file. */
    record Document(String origin, int index, JsonNode tree) {

        String apiVersion() {
            return tree.path("apiVersion").asText();
        }

        String kind() {
            return tree.path("kind").asText();
        }

        String name() {
            return tree.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return origin + "#" + index + " (" + kind() + " " + name() + ")";
        }
    }

    static List<Document> documents(String origin, String yaml) {
        List<Document> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node != null && !node.isMissingNode() && !node.isNull()) {
                    out.add(new Document(origin, out.size(), node));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(origin + ": not YAML: " + e.getMessage(), e);
        }
        return out;
    }

    /** Every manifest under deploy/kubernetes (the kustomization is not one). */
    static List<Path> manifestFiles() {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().startsWith("kustomization."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Document> manifests() {
        List<Document> all = new ArrayList<>();
        for (Path f : manifestFiles()) {
            all.addAll(documents(f.toString(), read(f)));
        }
        return all;
    }

    static Document only(List<Document> docs, String kind) {
        List<Document> found = docs.stream().filter(d -> d.kind().equals(kind)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found);
        }
        return found.get(0);
    }

    static JsonNode yamlFile(Path file) {
        List<Document> docs = documents(file.toString(), read(file));
        if (docs.size() != 1) {
            throw new AssertionError(file + " should hold one YAML document, not " + docs.size());
        }
        return docs.get(0).tree();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "trol.requests:6 trol.answers:6 ..." (the topic-creation lists) as topic -> partitions, in order. */
    static Map<String, Integer> topicSpecs(String specs) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String spec : specs.trim().split("\\s+")) {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0) {
                throw new AssertionError("not name:partitions: " + spec);
            }
            out.put(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
        }
        return out;
    }

    static Properties applicationProperties() {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static final Pattern EXPRESSION_WITH_DEFAULT = Pattern.compile("^\\$\\{[^:}]+:([^}]*)}$");

    /** The value a property takes when nothing overrides it: {@code ${a.b:x}} -> x, a literal -> itself. */
    static String defaultValue(String value) {
        Matcher m = EXPRESSION_WITH_DEFAULT.matcher(value.trim());
        return m.matches() ? m.group(1) : value.trim();
    }

    /**
     * Every topic the service uses by default: the defaults of trol.kafka.topics.* (KafkaSettings),
     * which name the analytics' output topics too, and the channels' (application.properties).
     */
    static List<String> serviceTopics() {
        Properties p = applicationProperties();
        List<String> topics = new ArrayList<>();
        for (java.lang.reflect.Method m : KafkaSettings.ConfiguredTopics.class.getMethods()) {
            WithDefault d = m.getAnnotation(WithDefault.class);
            if (d != null && !topics.contains(d.value())) {
                topics.add(d.value());
            }
        }
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("mp.messaging.") && (name.endsWith(".topic"))) {
                String topic = defaultValue(p.getProperty(name));
                if (!topics.contains(topic)) {
                    topics.add(topic);
                }
            }
        }
        return topics;
    }

    /** Where the service serves Prometheus metrics: Quarkus' /q/ root plus the registry's path. */
    static String metricsPath() {
        return "/q/" + applicationProperties().getProperty("quarkus.micrometer.export.prometheus.path", "metrics");
    }

    /** The environment variable Quarkus reads a property from: upper case, every other character an underscore. */
    static String envName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Whether an HTTP permission path ({@code /v1/*} a prefix, anything else exact) covers a request path. */
    static boolean permissionCovers(String permissionPath, String path) {
        String p = permissionPath.strip();
        if (p.endsWith("/*")) {
            String prefix = p.substring(0, p.length() - 2);
            return path.equals(prefix) || path.startsWith(prefix + "/");
        }
        return path.equals(p);
    }

    /** The consumer group of the requests channel. */
    static String requestsGroup() {
        return applicationProperties().getProperty(channelKey("incoming", Topics.REQUESTS, "group.id"));
    }

    /** The topic the requests channel reads by default. */
    static String requestsTopic() {
        return defaultValue(applicationProperties().getProperty(channelKey("incoming", Topics.REQUESTS, "topic")));
    }

    /** A channel's property in application.properties: its name quoted when it has dots, as SmallRye reads it. */
    static String channelKey(String direction, String channel, String attribute) {
        String name = channel.contains(".") ? "\"" + channel + "\"" : channel;
        return "mp.messaging." + direction + "." + name + "." + attribute;
    }

    /** trol.messaging.shutdown-grace when nothing sets it: the code's own default. */
    static Duration defaultShutdownGrace() {
        try {
            WithDefault d = MessagingSettings.class.getMethod("shutdownGrace").getAnnotation(WithDefault.class);
            return duration(d.value());
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /** A duration the way the service's configuration reads it ("30s", "PT30S", "1m"). */
    static Duration duration(String text) {
        return DurationConverter.parseDuration(text);
    }
}
