package io.trolserve.messaging.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.jboss.logging.Logger;

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

    static final String CLIENT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int FREE_PORT_ATTEMPTS = 3;
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final Settings settings;
    private final DataDirLock dataDirLock;
    private final KafkaRaftServer server;
    private final Admin admin;
    private final String advertisedHost;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final boolean formattedNow;
    private final Duration startupTime;
    private final Object closeLock = new Object();
    private volatile boolean closed;

    private EmbeddedKafkaBroker(Settings settings, DataDirLock dataDirLock, KafkaRaftServer server, Admin admin, String advertisedHost,
            int port, int controllerPort, String clusterId, boolean formattedNow, Duration startupTime) {
        this.settings = settings;
        this.dataDirLock = dataDirLock;
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
        InetAddress bindAddress = resolve(settings.host());
        Path logDir = prepareDataDir(settings.dataDir());
        // Kafka locks a combined node's log dir only when its broker half starts, after the
        // controller half has already opened (and written to) the metadata log: lock first.
        DataDirLock lock = DataDirLock.acquire(settings.dataDir());
        try {
            return start(settings, t0, bindAddress, logDir, lock);
        } catch (RuntimeException | Error e) {
            lock.release();
            throw e;
        }
    }

    private static EmbeddedKafkaBroker start(Settings settings, long t0, InetAddress bindAddress, Path logDir,
            DataDirLock lock) {
        String advertisedHost = settings.advertisedHost() != null ? settings.advertisedHost()
                : bindAddress.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
                : settings.host();
        if (settings.port() != 0) {
            checkPortFree(bindAddress, settings.port());
        }
        String clusterId = readClusterId(logDir);
        boolean formatNow = clusterId == null;
        if (formatNow) {
            clusterId = format(logDir);
        }

        // Free ports are found by binding and releasing them, so another process may take one
        // before Kafka binds it: retry with fresh ports. (A fixed client port was checked above.)
        for (int attempt = 1; ; attempt++) {
            int port = settings.port() != 0 ? settings.port() : freePort(bindAddress);
            int controllerPort = freePort(InetAddress.getLoopbackAddress());
            KafkaRaftServer server = null;
            try {
                Map<String, String> props = serverProperties(settings, logDir, port, controllerPort, advertisedHost);
                server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
                server.startup();
            } catch (RuntimeException | Error e) {
                stopQuietly(server);
                BindException bind = findCause(e, BindException.class);
                if (bind != null && attempt < FREE_PORT_ATTEMPTS) {
                    LOG.debugf("port race while starting the embedded Kafka broker (%s), retrying", bind.getMessage());
                    continue;
                }
                throw startFailure(settings, logDir, port, controllerPort, e);
            }

            String bootstrap = hostPort(advertisedHost, port);
            Admin admin = null;
            try {
                admin = Admin.create(adminProperties(bootstrap));
                long deadline = t0 + settings.startupTimeout().toNanos();
                awaitReady(admin, deadline, settings.startupTimeout(), bootstrap);
            } catch (RuntimeException | Error e) {
                if (admin != null) {
                    admin.close(Duration.ZERO);
                }
                stopQuietly(server);
                throw e;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            LOG.infof("Embedded Kafka broker ready at %s (cluster %s, data %s, %s, controller port %d) in %d ms",
                    bootstrap, clusterId, logDir, formatNow ? "formatted now" : "existing data reused",
                    controllerPort, took.toMillis());
            return new EmbeddedKafkaBroker(settings, lock, server, admin, advertisedHost, port, controllerPort,
                    clusterId, formatNow, took);
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return hostPort(advertisedHost, port);
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
        if (partitionsByTopic.isEmpty()) {
            return;
        }
        List<NewTopic> newTopics = new ArrayList<>();
        partitionsByTopic.forEach((topic, partitions) -> {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
            if (partitions == null || partitions < 1) {
                throw new IllegalArgumentException("topic " + topic + ": partitions must be >= 1, got " + partitions);
            }
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        });
        long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
        CreateTopicsResult result = admin.createTopics(newTopics);
        for (Map.Entry<String, KafkaFuture<Void>> e : result.values().entrySet()) {
            try {
                e.getValue().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new EmbeddedKafkaException("creating topic " + e.getKey() + " failed: " + ex.getCause(),
                            ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new EmbeddedKafkaException("creating topic " + e.getKey() + " timed out after "
                        + TOPIC_TIMEOUT.toSeconds() + " s", ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while creating topics", ex);
            }
        }
        awaitLeaders(partitionsByTopic.keySet(), deadline);
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
        try {
            admin.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.debug("closing the embedded broker's admin client failed", e);
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("stopping the embedded Kafka broker at " + bootstrapServers()
                    + " failed: " + e.getMessage(), e);
        } finally {
            dataDirLock.release();
        }
        LOG.infof("Embedded Kafka broker at %s stopped in %d ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", " + settings.dataDir() + (closed ? ", closed]" : "]");
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
    }

    // ---------------------------------------------------------------------------------------------

    /** An exclusive lock on {@code dataDir/.embedded-kafka.lock}, across processes and within this JVM. */
    private static final class DataDirLock {
        static final String FILE_NAME = ".embedded-kafka.lock";

        private final FileChannel channel;
        private final FileLock lock;

        private DataDirLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static DataDirLock acquire(Path dataDir) {
            Path file = dataDir.resolve(FILE_NAME);
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new EmbeddedKafkaException("Kafka data directory " + dataDir + " is not writable: cannot open "
                        + file + ": " + e, e);
            }
            FileLock lock = null;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException e) {
                closeQuietly(channel);
                throw new EmbeddedKafkaException("cannot lock " + file + ": " + e, e);
            }
            if (lock == null) {
                closeQuietly(channel);
                throw new EmbeddedKafkaException("cannot start the embedded Kafka broker: data directory " + dataDir
                        + " is in use by another Kafka process (or another broker in this JVM); " + file + " is locked");
            }
            return new DataDirLock(channel, lock);
        }

        synchronized void release() {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } catch (IOException e) {
                LOG.debug("releasing the data directory lock failed", e);
            } finally {
                closeQuietly(channel);
            }
        }

        private static void closeQuietly(FileChannel channel) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing the data directory lock file failed", e);
            }
        }
    }

    static Map<String, String> serverProperties(Settings s, Path logDir, int port, int controllerPort,
            String advertisedHost) {
        String controllerHost = InetAddress.getLoopbackAddress().getHostAddress();
        Map<String, String> p = new LinkedHashMap<>();
        // sensible single-node defaults, overridable
        p.put("num.partitions", Integer.toString(s.partitions()));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("delete.topic.enable", "true");
        p.put("log.retention.hours", "168");
        p.put("log.retention.bytes", "-1");
        p.put("message.max.bytes", Integer.toString(DEFAULT_MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(DEFAULT_MAX_MESSAGE_BYTES));
        // a small machine: fewer threads, and a small cleaner buffer instead of 128 MiB of heap
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        // A clean close fences the broker through controlled shutdown (~0.3 s), so the next start
        // registers at once. After a crash the restarted controller still sees the old, unfenced
        // registration and refuses the new one until its session times out: keep that short.
        p.put("controlled.shutdown.enable", "true");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "5000");
        p.put("server.max.startup.time.ms", Long.toString(s.startupTimeout().toMillis()));
        p.putAll(s.overrides());
        // the node's identity and wiring are not overridable
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + hostPort(controllerHost, controllerPort));
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", CLIENT_LISTENER + "://" + hostPort(s.host(), port) + ","
                + CONTROLLER_LISTENER + "://" + hostPort(controllerHost, controllerPort));
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + hostPort(advertisedHost, port));
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        return p;
    }

    private static Properties adminProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "trol-embedded-kafka-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        return p;
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new EmbeddedKafkaException("cannot bind the embedded Kafka broker to host '" + host
                    + "': unknown host", e);
        }
    }

    /** Creates the data directory if needed and proves it writable; returns its Kafka log dir. */
    private static Path prepareDataDir(Path dataDir) {
        Path logDir = dataDir.resolve(LOG_DIR_NAME);
        try {
            Files.createDirectories(logDir);
        } catch (FileAlreadyExistsException e) {
            throw new EmbeddedKafkaException("Kafka data directory " + dataDir + " is not usable: "
                    + e.getFile() + " exists and is not a directory", e);
        } catch (IOException | SecurityException e) {
            throw new EmbeddedKafkaException("Kafka data directory " + dataDir + " cannot be created: " + e, e);
        }
        try {
            Path probe = Files.createTempFile(logDir, ".write-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new EmbeddedKafkaException("Kafka data directory " + logDir + " is not writable: " + e, e);
        }
        return logDir;
    }

    /** The cluster id of an already formatted log dir, or null if it was never formatted. */
    private static String readClusterId(Path logDir) {
        Path meta = logDir.resolve("meta.properties");
        if (!Files.exists(meta)) {
            return null;
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot read " + meta + ": " + e, e);
        }
        String nodeId = props.getProperty("node.id");
        if (nodeId == null) {
            throw new EmbeddedKafkaException(meta + " has no node.id: the data directory " + logDir.getParent()
                    + " is not a KRaft data directory (a ZooKeeper-era broker's?); use another directory");
        }
        if (!Integer.toString(NODE_ID).equals(nodeId.trim())) {
            throw new EmbeddedKafkaException("data directory " + logDir.getParent() + " was formatted for Kafka node id "
                    + nodeId.trim() + ", but the embedded broker is node id " + NODE_ID
                    + "; use another directory (or remove it to start from scratch)");
        }
        String clusterId = props.getProperty("cluster.id");
        if (clusterId == null || clusterId.isBlank()) {
            throw new EmbeddedKafkaException(meta + " has no cluster.id; the data directory " + logDir.getParent()
                    + " is damaged");
        }
        return clusterId.trim();
    }

    /** Formats a fresh log dir: meta.properties plus the bootstrap metadata checkpoint. */
    private static String format(Path logDir) {
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream printStream = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(printStream)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("formatting Kafka storage in " + logDir + " failed: " + e.getMessage(), e);
        }
        LOG.debugf("formatted %s with cluster id %s: %s", logDir, clusterId, out.toString(StandardCharsets.UTF_8).trim());
        return clusterId;
    }

    private static void checkPortFree(InetAddress address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot start the embedded Kafka broker: port " + port + " on "
                    + address.getHostAddress() + " is already in use (" + e.getMessage() + ")", e);
        }
    }

    private static int freePort(InetAddress address) {
        try (ServerSocket socket = new ServerSocket(0, 1, address)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot find a free port on " + address.getHostAddress() + ": " + e, e);
        }
    }

    private static EmbeddedKafkaException startFailure(Settings s, Path logDir, int port, int controllerPort,
            Throwable e) {
        BindException bind = findCause(e, BindException.class);
        if (bind != null) {
            return new EmbeddedKafkaException("cannot start the embedded Kafka broker: port " + port + " on " + s.host()
                    + " or controller port " + controllerPort + " is already in use (" + rootMessage(e) + ")", e);
        }
        String root = rootMessage(e);
        if (root.contains("Failed to acquire lock")) {
            return new EmbeddedKafkaException("cannot start the embedded Kafka broker: data directory " + logDir
                    + " is in use by another Kafka process (" + root + ")", e);
        }
        return new EmbeddedKafkaException("the embedded Kafka broker (data " + logDir + ", port " + port
                + ") failed to start: " + root, e);
    }

    private static void awaitReady(Admin admin, long deadlineNanos, Duration timeout, String bootstrap) {
        Throwable last = null;
        while (true) {
            long remaining = remainingMillis(deadlineNanos);
            if (remaining <= 0) {
                throw new EmbeddedKafkaException("the embedded Kafka broker at " + bootstrap + " did not become ready within "
                        + timeout.toMillis() + " ms" + (last == null ? "" : " (last error: " + last + ")"), last);
            }
            try {
                int waitMs = (int) Math.min(remaining, 5000);
                var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(waitMs))
                        .nodes().get(waitMs, TimeUnit.MILLISECONDS);
                if (!nodes.isEmpty()) {
                    return;
                }
            } catch (ExecutionException e) {
                last = e.getCause();
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while waiting for the embedded Kafka broker", e);
            }
            sleep(50);
        }
    }

    private void awaitLeaders(java.util.Collection<String> topics, long deadlineNanos) {
        Throwable last = null;
        while (remainingMillis(deadlineNanos) > 0) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                        .get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    last = e.getCause();
                }
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while waiting for topic leaders", e);
            }
            sleep(50);
        }
        throw new EmbeddedKafkaException("topics " + topics + " did not get partition leaders within "
                + TOPIC_TIMEOUT.toSeconds() + " s" + (last == null ? "" : " (last error: " + last + ")"), last);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers() + " is closed");
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("stopping a half-started embedded Kafka broker failed", e);
        }
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static long remainingMillis(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String own = e.getMessage();
        String msg = root.getMessage();
        if (root == e || own == null) {
            return String.valueOf(msg != null ? msg : root);
        }
        return own + (msg != null && !own.contains(msg) ? ": " + msg : "");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }
}
