package io.trolserve.broker;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Runs {@link EmbeddedKafkaBroker} as a process of its own, so that the broker outlives the
 * service that uses it (crash tests, several service instances on one broker).
 *
 * <pre>
 * java -cp CLASSPATH io.trolserve.broker.EmbeddedKafkaMain \
 *     [--data-dir=DIR] [--host=HOST] [--port=PORT] [--partitions=N] [--topics=a,b:8] [--log-level=WARN]
 * </pre>
 *
 * Each option may also be given as a system property {@code trol.kafka.embedded.<name>} (for
 * example {@code -Dtrol.kafka.embedded.port=0}); arguments win. Defaults: data dir
 * {@code ~/.cache/trol-serve/kafka}, host {@code 127.0.0.1}, port 9092 (0 picks a free one),
 * 4 partitions. {@code --topics} creates topics up front ({@code name} or {@code name:partitions}).
 *
 * <p>When the broker is ready, exactly one line goes to stdout: {@code kafka-bootstrap=HOST:PORT}.
 * Logs go to stderr. SIGTERM or SIGINT stops the broker cleanly and the process exits 0; a start
 * failure exits 1 and bad arguments exit 2.
 */
public final class EmbeddedKafkaMain {

    public static final String BOOTSTRAP_LINE_PREFIX = "kafka-bootstrap=";
    public static final String PROPERTY_PREFIX = "trol.kafka.embedded.";

    private EmbeddedKafkaMain() {
    }

    public static void main(String[] args) {
        // before any logger exists: Kafka logs through slf4j to jboss-logmanager, as in the service
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        Options options;
        try {
            options = Options.parse(args, System.getProperties());
        } catch (IllegalArgumentException e) {
            System.err.println("embedded-kafka: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.err.println(Options.USAGE);
            System.exit(0);
            return;
        }
        configureLogging(options.kafkaLogLevel);

        EmbeddedKafkaBroker broker;
        try {
            broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Settings.of(options.dataDir, options.host, options.port)
                    .withPartitions(options.partitions));
            if (!options.topics.isEmpty()) {
                broker.createTopics(options.topicsWithPartitions());
            }
        } catch (RuntimeException e) {
            System.err.println("embedded-kafka: " + e.getMessage());
            Logger.getLogger(EmbeddedKafkaMain.class.getName()).log(Level.FINE, "start failure", e);
            System.exit(1);
            return;
        }

        CountDownLatch stop = new CountDownLatch(1);
        handleSignals(stop);
        // safety net for other ways of ending the JVM (and for SIGTERM if signals could not be handled)
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-kafka-shutdown"));

        PrintStream out = System.out;
        out.println(BOOTSTRAP_LINE_PREFIX + broker.bootstrapServers());
        out.flush();

        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int status = 0;
        try {
            broker.close();
        } catch (RuntimeException e) {
            System.err.println("embedded-kafka: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /** SIGTERM and SIGINT release the latch, so main can stop the broker and exit 0 (not 143). */
    @SuppressWarnings("removal")
    private static boolean handleSignals(CountDownLatch stop) {
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
            }
            return true;
        } catch (RuntimeException | LinkageError e) {
            // e.g. -Xrs: the shutdown hook still closes the broker, the exit status is then the JVM's
            System.err.println("embedded-kafka: cannot handle signals (" + e + "); relying on the shutdown hook");
            return false;
        }
    }

    /** All logs to stderr, one line each; Kafka's own categories at {@code kafkaLevel}. */
    private static void configureLogging(Level kafkaLevel) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler stderr = new ConsoleHandler();
        stderr.setLevel(Level.ALL);
        stderr.setFormatter(new LineFormatter());
        root.addHandler(stderr);
        root.setLevel(Level.INFO);
        BrokerLogging.setKafkaLevel(kafkaLevel);
    }

    private static final class LineFormatter extends java.util.logging.Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160)
                    .append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(r.getLevel().getName()).append(" [").append(r.getLoggerName()).append("] ")
                    .append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                java.io.StringWriter w = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                sb.append(w);
            }
            return sb.toString();
        }
    }

    /** Parsed command line; visible for tests. */
    static final class Options {
        static final String USAGE = "usage: EmbeddedKafkaMain [--data-dir=DIR] [--host=HOST] [--port=PORT] "
                + "[--partitions=N] [--topics=NAME[:PARTITIONS],...] [--log-level=WARN|INFO|...] "
                + "(or -D" + PROPERTY_PREFIX + "<name>=VALUE)";

        Path dataDir = Path.of(System.getProperty("user.home"), ".cache", "trol-serve", "kafka");
        String host = "127.0.0.1";
        int port = 9092;
        int partitions = EmbeddedKafkaBroker.DEFAULT_PARTITIONS;
        Map<String, Integer> topics = new LinkedHashMap<>();
        Level kafkaLogLevel = Level.WARNING;
        boolean help;

        static Options parse(String[] args, Properties systemProperties) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String name : new String[] {"data-dir", "host", "port", "partitions", "topics", "log-level"}) {
                String v = systemProperties.getProperty(PROPERTY_PREFIX + name);
                if (v != null) {
                    values.put(name, v);
                }
            }
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("-h") || arg.equals("--help")) {
                    o.help = true;
                    continue;
                }
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument: " + arg);
                }
                String name;
                String value;
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(2, eq);
                    value = arg.substring(eq + 1);
                } else {
                    name = arg.substring(2);
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("missing value for --" + name);
                    }
                    value = args[++i];
                }
                values.put(name, value);
            }
            values.forEach((name, value) -> o.set(name, value));
            if (o.partitions < 1) {
                throw new IllegalArgumentException("--partitions must be >= 1");
            }
            if (o.port < 0 || o.port > 65535) {
                throw new IllegalArgumentException("--port must be in 0..65535");
            }
            return o;
        }

        private void set(String name, String value) {
            switch (name) {
                case "data-dir" -> dataDir = Path.of(value);
                case "host" -> host = value;
                case "port" -> port = parseInt(name, value);
                case "partitions" -> partitions = parseInt(name, value);
                case "topics" -> {
                    for (String spec : value.split(",")) {
                        String s = spec.trim();
                        if (s.isEmpty()) {
                            continue;
                        }
                        int colon = s.lastIndexOf(':');
                        if (colon > 0) {
                            topics.put(s.substring(0, colon), parseInt("topics", s.substring(colon + 1)));
                        } else {
                            topics.put(s, null);
                        }
                    }
                }
                case "log-level" -> kafkaLogLevel = parseLevel(value);
                default -> throw new IllegalArgumentException("unknown option --" + name);
            }
        }

        /** Topics named without a partition count get {@link #partitions}. */
        Map<String, Integer> topicsWithPartitions() {
            Map<String, Integer> out = new LinkedHashMap<>();
            topics.forEach((t, p) -> out.put(t, p == null ? partitions : p));
            return out;
        }

        private static int parseInt(String name, String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " needs a number, got '" + value + "'");
            }
        }

        private static Level parseLevel(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            return switch (v) {
                case "TRACE" -> Level.FINEST;
                case "DEBUG" -> Level.FINE;
                case "INFO" -> Level.INFO;
                case "WARN", "WARNING" -> Level.WARNING;
                case "ERROR", "SEVERE" -> Level.SEVERE;
                case "OFF" -> Level.OFF;
                default -> throw new IllegalArgumentException("unknown --log-level '" + value + "'");
            };
        }
    }
}
