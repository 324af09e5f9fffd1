package io.trolserve.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Channel names are the default topic names ({@link Topics}), each channel's topic is a
 * {@code trol.kafka.topics.*} setting ({@link KafkaSettings.ConfiguredTopics}), and
 * application.properties agrees with the code: a property under a misspelt channel name would
 * configure nothing, silently; a channel left enabled in the cli profile would open Kafka clients
 * in every subcommand; a topic written out in full would not move when the setting does.
 */
class ChannelNamesTest {

    private static final Pattern CHANNEL_PROPERTY =
            Pattern.compile("^(%[a-z]+\\.)?mp\\.messaging\\.(incoming|outgoing)\\.(\"([^\"]+)\"|([^.\"]+))\\.(.+)$");
    /** {@code ${trol.kafka.topics.requests:trol.requests}}: a setting, then its default */
    private static final Pattern TOPIC_SETTING = Pattern.compile("\\$\\{trol\\.kafka\\.topics\\.([a-z-]+):([^}]*)}");
    private static final String STREAMS_TOPICS = "quarkus.kafka-streams.topics";
    private static final Set<String> REST = Set.of(Topics.REST_REQUESTS, Topics.REST_ANSWERS, Topics.REST_TOKENS);

    private static final Properties properties = new Properties();
    /** "incoming trol.requests" -> its attributes (unprofiled) */
    private static Map<String, Map<String, String>> configured;
    private static final Set<String> disabledForCli = new TreeSet<>();
    private static final Set<String> declared = new TreeSet<>();

    @BeforeAll
    static void read() throws IOException, URISyntaxException {
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(r);
        }
        configured = channelsOf(properties);
        for (String key : properties.stringPropertyNames()) {
            Matcher m = CHANNEL_PROPERTY.matcher(key);
            if (m.matches() && "%cli.".equals(m.group(1)) && m.group(6).equals("enabled")
                    && properties.getProperty(key).equals("false")) {
                disabledForCli.add(channelOf(m));
            }
        }
        Path classes = Path.of(Topics.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Class<?> type : classesUnder(classes)) {
            List<AnnotatedElement> members = new ArrayList<>(List.of(type.getDeclaredMethods()));
            members.addAll(List.of(type.getDeclaredFields()));
            for (AnnotatedElement member : members) {
                if (member.getAnnotation(Incoming.class) != null) {
                    declared.add("incoming " + member.getAnnotation(Incoming.class).value());
                }
                if (member.getAnnotation(Outgoing.class) != null) {
                    declared.add("outgoing " + member.getAnnotation(Outgoing.class).value());
                }
                if (member instanceof Field f && f.getAnnotation(Channel.class) != null) {
                    // an injected Emitter sends; anything else injected under @Channel would receive
                    boolean emitter = f.getType().getSimpleName().endsWith("Emitter");
                    declared.add((emitter ? "outgoing " : "incoming ") + f.getAnnotation(Channel.class).value());
                }
            }
        }
    }

    @Test
    void everyConfiguredChannelIsOneTheCodeDeclares() {
        assertThat(declared).as("the code's channels").contains(
                "incoming " + Topics.REQUESTS, "outgoing " + Topics.ANSWERS, "outgoing " + Topics.TOKENS,
                "outgoing " + Topics.REQUESTS_DLQ);
        assertThat(declared).containsAll(configured.keySet());
    }

    @Test
    void theCliProfileDisablesEveryChannel() {
        assertThat(disabledForCli).isEqualTo(declared);
    }

    @Test
    void theTopicSettingsDefaultToTheTopicsNames() {
        assertThat(topicSettings().values()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    }

    @Test
    void everyChannelTakesItsTopicFromATopicSetting() {
        assertThat(topicsNotFromSettings(properties, declared)).isEmpty();
    }

    @Test
    void channelsAreNamedAfterTheirDefaultTopicsExceptTheRestSides() {
        for (String channel : declared) {
            String name = channel.substring(channel.indexOf(' ') + 1);
            String topic = configured.getOrDefault(channel, Map.of()).getOrDefault("topic", "");
            Matcher setting = TOPIC_SETTING.matcher(topic);
            assertThat(setting.matches()).as(channel + " topic: " + topic).isTrue();
            if (REST.contains(name)) {
                assertThat(setting.group(2)).as(channel).isIn(Topics.ALL);
            } else {
                assertThat(setting.group(2)).as(channel + " is named after its default topic").isEqualTo(name);
            }
        }
    }

    /** The check above fails for each way a topic can escape its setting, in each place that names one. */
    @Test
    void aTopicWrittenOutMissingOrMisconfiguredIsCaught() {
        List<String> topicKeys = topicKeys();
        assertThat(topicKeys).as("each channel's topic, the dead-letter queue's, the analytics'")
                .hasSize(declared.size() + 2).contains(STREAMS_TOPICS);
        for (String key : topicKeys) {
            String value = properties.getProperty(key);
            Map<String, String> mutants = Map.of(
                    "written out", TOPIC_SETTING.matcher(value).replaceAll("$2"),
                    "another default", TOPIC_SETTING.matcher(value).replaceFirst("\\${trol.kafka.topics.$1:elsewhere}"),
                    "no such setting", TOPIC_SETTING.matcher(value).replaceFirst("\\${trol.kafka.topics.nonesuch:$2}"),
                    "one more topic, written out", value + ",trol.elsewhere");
            for (var mutant : mutants.entrySet()) {
                Properties mutated = new Properties();
                mutated.putAll(properties);
                mutated.setProperty(key, mutant.getValue());
                assertThat(topicsNotFromSettings(mutated, declared))
                        .as("%s %s: %s", key, mutant.getKey(), mutant.getValue()).isNotEmpty();
            }
            Properties without = new Properties();
            without.putAll(properties);
            without.remove(key);
            assertThat(topicsNotFromSettings(without, declared)).as(key + " removed").isNotEmpty();
        }
    }

    /** With every topic renamed in the environment, KafkaSettings and every topic property follow. */
    @Test
    void theEnvironmentMovesEveryTopic() {
        Map<String, String> environment = new HashMap<>();
        for (String setting : topicSettings().keySet()) {
            String variable = "TROL_KAFKA_TOPICS_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
            environment.put(variable, "team-a." + setting);
        }
        Map<String, String> file = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> file.put(k, properties.getProperty(k)));
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // ${...} expansion, as in the service
                .withSources(new PropertiesConfigSource(file, "application.properties", 250))
                .withSources(new EnvConfigSource(environment, 300))
                .withDefaultValue("user.home", "/home/trol") // the embedded broker's data directory names it
                .withMapping(KafkaSettings.class)
                .build();

        KafkaSettings.ConfiguredTopics t = config.getConfigMapping(KafkaSettings.class).topics();
        assertThat(List.of(t.requests(), t.answers(), t.tokens(), t.requestsDlq(), t.latencyStats(), t.sloAlerts()))
                .containsExactly("team-a.requests", "team-a.answers", "team-a.tokens", "team-a.requests-dlq",
                        "team-a.latency-stats", "team-a.slo-alerts");
        for (String key : topicKeys()) {
            String renamed = TOPIC_SETTING.matcher(properties.getProperty(key)).replaceAll("team-a.$1");
            assertThat(config.getValue(key, String.class)).as(key).isEqualTo(renamed);
        }
        assertThat(config.getValue("mp.messaging.outgoing.rest-requests.topic", String.class)).isEqualTo(t.requests());
    }

    /** The properties that name a topic through a setting. */
    private static List<String> topicKeys() {
        return properties.stringPropertyNames().stream()
                .filter(k -> properties.getProperty(k).contains("${trol.kafka.topics.")).sorted().toList();
    }

    /**
     * Where {@code p} gives a topic other than as one {@code trol.kafka.topics.*} setting with the
     * code's default: each channel's topic, the dead-letter queue's, the analytics' source topics.
     */
    static List<String> topicsNotFromSettings(Properties p, Set<String> channels) {
        Map<String, String> settings = topicSettings();
        Map<String, Map<String, String>> attributes = channelsOf(p);
        List<String> faults = new ArrayList<>();
        for (String channel : channels) {
            Map<String, String> a = attributes.getOrDefault(channel, Map.of());
            faults.addAll(faults(channel + " topic", a.get("topic"), settings));
            if ("dead-letter-queue".equals(a.get("failure-strategy")) || a.containsKey("dead-letter-queue.topic")) {
                faults.addAll(faults(channel + " dead-letter-queue.topic", a.get("dead-letter-queue.topic"), settings));
            }
        }
        String streams = p.getProperty(STREAMS_TOPICS);
        for (String topic : streams == null ? new String[] {null} : streams.split(",")) {
            faults.addAll(faults(STREAMS_TOPICS, topic, settings));
        }
        return faults;
    }

    private static List<String> faults(String where, String value, Map<String, String> settings) {
        if (value == null) {
            return List.of(where + " is not set: it would not follow trol.kafka.topics.*");
        }
        Matcher m = TOPIC_SETTING.matcher(value);
        if (!m.matches()) {
            return List.of(where + " is " + value + ", not ${trol.kafka.topics.<name>:<default>}");
        }
        if (!settings.containsKey(m.group(1))) {
            return List.of(where + ": trol.kafka.topics." + m.group(1) + " is no setting of KafkaSettings");
        }
        if (!settings.get(m.group(1)).equals(m.group(2))) {
            return List.of(where + " defaults to " + m.group(2) + ", KafkaSettings to " + settings.get(m.group(1)));
        }
        return List.of();
    }

    /** trol.kafka.topics.* name -> its default, as KafkaSettings declares them */
    private static Map<String, String> topicSettings() {
        Map<String, String> settings = new TreeMap<>();
        for (Method m : KafkaSettings.ConfiguredTopics.class.getDeclaredMethods()) {
            WithName name = m.getAnnotation(WithName.class);
            String key = name != null ? name.value() : m.getName().replaceAll("([A-Z])", "-$1").toLowerCase();
            settings.put(key, m.getAnnotation(WithDefault.class).value());
        }
        return settings;
    }

    /** "incoming trol.requests" -> its unprofiled attributes */
    private static Map<String, Map<String, String>> channelsOf(Properties p) {
        Map<String, Map<String, String>> channels = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            Matcher m = CHANNEL_PROPERTY.matcher(key);
            if (m.matches() && m.group(1) == null) {
                channels.computeIfAbsent(channelOf(m), c -> new HashMap<>()).put(m.group(6), p.getProperty(key));
            }
        }
        return channels;
    }

    private static String channelOf(Matcher channelProperty) {
        return channelProperty.group(2) + " "
                + (channelProperty.group(4) != null ? channelProperty.group(4) : channelProperty.group(5));
    }

    private static List<Class<?>> classesUnder(Path root) throws IOException {
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                try {
                    found.add(Class.forName(name.substring(0, name.length() - ".class".length()), false,
                            ChannelNamesTest.class.getClassLoader()));
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new AssertionError("cannot inspect " + name, e);
                }
            }
        }
        return found;
    }
}
