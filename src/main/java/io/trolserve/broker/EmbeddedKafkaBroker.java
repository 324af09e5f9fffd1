package io.trolserve.broker;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import kafka.server.KafkaRaftServer;

/**
 * A real single-node Apache Kafka broker in KRaft mode, run inside this JVM: one node that is
 * broker and controller at once ({@code process.roles=broker,controller}), a PLAINTEXT listener
 * for clients and a controller listener on a free loopback port.
 *
 * <p>All data (topic logs and the {@code __cluster_metadata} log) live under
 * {@code dataDir/kafka-logs}. The first start formats that directory with a fresh cluster id;
 * later starts on the same directory find its {@code meta.properties} and reuse it as it is, so
 * records and committed offsets survive a restart, including one after SIGKILL (Kafka recovers
 * its logs from the page cache-backed files on the next start).
 *
 * <p>This class is the public API and the lifecycle (start, ready-wait, createTopics, close); the
 * work is done by package-private parts, in the order a start uses them:
 * {@link KraftStorage} (the data directory: format or reuse, node-id check, lock),
 * {@link ServerProperties} ({@link Settings} to Kafka server properties),
 * {@link NodeLauncher} (ports and the {@code KafkaRaftServer}) and
 * {@link BrokerAdmin} (readiness and topics through an admin client).
 *
 * <p>Pure Java, no CDI: the service, tests and {@link EmbeddedKafkaMain} use it alike.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);

    /** The node id of the one node; a data directory formatted for another id is refused. */
    public static final int NODE_ID = 1;
    public static final int DEFAULT_PARTITIONS = 4;
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** The sub-directory of the data directory holding Kafka's logs and metadata. */
    public static final String LOG_DIR_NAME = "kafka-logs";
    /** Broker-side size limit of one record batch (clients need {@code max.request.size} too). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final Settings settings;
    private final KraftStorage storage;
    private final KafkaRaftServer server;
    private final BrokerAdmin admin;
    private final String advertisedHost;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final boolean formattedNow;
    private final Duration startupTime;
    private final Object closeLock = new Object();
    private volatile boolean closed;

    private EmbeddedKafkaBroker(Settings settings, KraftStorage storage, KafkaRaftServer server, BrokerAdmin admin,
            String advertisedHost, int port, int controllerPort, String clusterId, boolean formattedNow,
            Duration startupTime) {
        this.settings = settings;
        this.storage = storage;
        this.server = server;
        this.admin = admin;
        this.advertisedHost = advertisedHost;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.formattedNow = formattedNow;
        this.startupTime = startupTime;
    }

    /**
     * Starts a broker with {@link #DEFAULT_PARTITIONS} partitions per auto-created topic.
     *
     * @param dataDir where Kafka keeps its data; created if missing, reused if already formatted
     * @param host the interface the client listener binds to (e.g. {@code 127.0.0.1})
     * @param port the client port; 0 picks a free one ({@link #port()} reports it)
     */
    public static EmbeddedKafkaBroker start(Path dataDir, String host, int port) {
        return start(Settings.of(dataDir, host, port));
    }

    public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, int numPartitions) {
        return start(Settings.of(dataDir, host, port).withPartitions(numPartitions));
    }

    /** Starts a broker and returns once it answers clients; throws {@link EmbeddedKafkaException}. */
    public static EmbeddedKafkaBroker start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        long t0 = System.nanoTime();
        InetAddress bindAddress = NodeLauncher.resolve(settings.host());
        KraftStorage storage = KraftStorage.open(settings.dataDir());
        try {
            return start(settings, t0, bindAddress, storage);
        } catch (RuntimeException | Error e) {
            storage.release();
            throw e;
        }
    }

    private static EmbeddedKafkaBroker start(Settings settings, long t0, InetAddress bindAddress, KraftStorage storage) {
        String advertisedHost = settings.advertisedHost() != null ? settings.advertisedHost()
                : bindAddress.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
                : settings.host();
        // checked before formatting, so a busy fixed port leaves a fresh directory unformatted
        if (settings.port() != 0) {
            NodeLauncher.checkPortFree(bindAddress, settings.port());
        }
        String clusterId = storage.clusterId();
        boolean formatNow = clusterId == null;
        if (formatNow) {
            clusterId = storage.format();
        }

        NodeLauncher.Launched node = NodeLauncher.launch(settings, bindAddress, storage.logDir(), advertisedHost);
        String bootstrap = ServerProperties.hostPort(advertisedHost, node.port());
        BrokerAdmin admin;
        try {
            admin = BrokerAdmin.connectWhenReady(bootstrap, t0 + settings.startupTimeout().toNanos(),
                    settings.startupTimeout());
        } catch (RuntimeException | Error e) {
            NodeLauncher.stopQuietly(node.server());
            throw e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.infof("Embedded Kafka broker ready at %s (cluster %s, data %s, %s, controller port %d) in %d ms",
                bootstrap, clusterId, storage.logDir(), formatNow ? "formatted now" : "existing data reused",
                node.controllerPort(), took.toMillis());
        return new EmbeddedKafkaBroker(settings, storage, node.server(), admin, advertisedHost, node.port(),
                node.controllerPort(), clusterId, formatNow, took);
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return ServerProperties.hostPort(advertisedHost, port);
    }

    public String host() {
        return advertisedHost;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    /** True if this start formatted the data directory, false if it reused existing data. */
    public boolean formattedOnStart() {
        return formattedNow;
    }

    /** From the call to {@code start} until the broker answered a describeCluster request. */
    public Duration startupTime() {
        return startupTime;
    }

    public boolean isRunning() {
        return !closed;
    }

    /**
     * Creates the topics that do not exist yet, with replication factor 1, and waits until every
     * partition of each has a leader. Topics that already exist are left as they are (their
     * partition count is not changed).
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        Objects.requireNonNull(partitionsByTopic, "partitionsByTopic");
        ensureOpen();
        admin.createTopics(partitionsByTopic);
    }

    /** Stops the broker and waits until it has stopped; idempotent. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long t0 = System.nanoTime();
        admin.close();
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("stopping the embedded Kafka broker at " + bootstrapServers()
                    + " failed: " + e.getMessage(), e);
        } finally {
            storage.release();
        }
        LOG.infof("Embedded Kafka broker at %s stopped in %d ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", " + settings.dataDir() + (closed ? ", closed]" : "]");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers() + " is closed");
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** What {@link #start(Settings)} needs; build with {@link #of} and the {@code with…} methods. */
    public record Settings(Path dataDir, String host, int port, int partitions, String advertisedHost,
            Duration startupTimeout, Map<String, String> overrides) {

        public Settings {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank (use 0.0.0.0 for all interfaces)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
            }
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive");
            }
            dataDir = dataDir.toAbsolutePath().normalize();
            overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
        }

        public static Settings of(Path dataDir, String host, int port) {
            return new Settings(dataDir, host, port, DEFAULT_PARTITIONS, null, DEFAULT_STARTUP_TIMEOUT, Map.of());
        }

        /** Partitions of auto-created topics ({@code num.partitions}). */
        public Settings withPartitions(int partitions) {
            return new Settings(dataDir, host, port, partitions, advertisedHost, startupTimeout, overrides);
        }

        /** The host clients are told to connect to; by default the bind host, or loopback for 0.0.0.0. */
        public Settings withAdvertisedHost(String advertisedHost) {
            return new Settings(dataDir, host, port, partitions, advertisedHost, startupTimeout, overrides);
        }

        public Settings withStartupTimeout(Duration startupTimeout) {
            return new Settings(dataDir, host, port, partitions, advertisedHost, startupTimeout, overrides);
        }

        /** Extra or replacing broker properties, applied last (listeners and roles excepted). */
        public Settings withOverrides(Map<String, String> more) {
            Map<String, String> merged = new LinkedHashMap<>(overrides);
            merged.putAll(more);
            return new Settings(dataDir, host, port, partitions, advertisedHost, startupTimeout, merged);
        }
    }}
