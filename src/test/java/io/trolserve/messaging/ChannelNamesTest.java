package io.trolserve.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Channel names equal topic names ({@link Topics}), and application.properties agrees with the
 * code: a property under a misspelt channel name would configure nothing, silently, and a
 * channel left enabled in the cli profile would open Kafka clients in every subcommand.
 */
class ChannelNamesTest {

    private static final Pattern CHANNEL_PROPERTY =
            Pattern.compile("^(%[a-z]+\\.)?mp\\.messaging\\.(incoming|outgoing)\\.(\"([^\"]+)\"|([^.\"]+))\\.(.+)$");
    private static final Set<String> REST = Set.of(Topics.REST_REQUESTS, Topics.REST_ANSWERS, Topics.REST_TOKENS);

    /** "incoming trol.requests" -> its attributes (unprofiled) */
    private static final Map<String, Map<String, String>> configured = new HashMap<>();
    private static final Set<String> disabledForCli = new TreeSet<>();
    private static final Set<String> declared = new TreeSet<>();

    @BeforeAll
    static void read() throws IOException, URISyntaxException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            p.load(r);
        }
        for (String key : p.stringPropertyNames()) {
            Matcher m = CHANNEL_PROPERTY.matcher(key);
            if (!m.matches()) {
                continue;
            }
            String channel = m.group(2) + " " + (m.group(4) != null ? m.group(4) : m.group(5));
            if (m.group(1) == null) {
                configured.computeIfAbsent(channel, c -> new HashMap<>()).put(m.group(6), p.getProperty(key));
            } else if (m.group(1).equals("%cli.") && m.group(6).equals("enabled") && p.getProperty(key).equals("false")) {
                disabledForCli.add(channel);
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
    void channelsAreNamedAfterTheirTopicsExceptTheRestSidesWhichNameTheirs() {
        for (String channel : declared) {
            String name = channel.substring(channel.indexOf(' ') + 1);
            Map<String, String> attributes = configured.getOrDefault(channel, Map.of());
            if (REST.contains(name)) {
                assertThat(attributes.get("topic")).as(channel).isIn(Topics.ALL);
            } else {
                assertThat(name).as(channel).isIn(Topics.ALL);
                assertThat(attributes).as(channel + " takes its name as its topic").doesNotContainKey("topic");
            }
        }
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
