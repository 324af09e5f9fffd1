package io.trolserve.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.jboss.logging.Logger;

/**
 * The broker's data directory, owned exclusively while the broker runs: {@code dataDir/kafka-logs}
 * holds topic logs and the {@code __cluster_metadata} log, {@code dataDir/.embedded-kafka.lock}
 * keeps a second broker (in this or another process) off it.
 *
 * <p>A directory that was never formatted gets a fresh cluster id ({@link #format()}); one that
 * was is reused as it is ({@link #clusterId()}), after checking that it belongs to
 * {@link EmbeddedKafkaBroker#NODE_ID}, so records and committed offsets survive a restart.
 */
final class KraftStorage {

    // one log category for the whole embedded broker, as before the split into several classes
    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);

    private final Path logDir;
    private final DataDirLock lock;

    private KraftStorage(Path logDir, DataDirLock lock) {
        this.logDir = logDir;
        this.lock = lock;
    }

    /** Creates the data directory if needed, proves it writable and locks it. */
    static KraftStorage open(Path dataDir) {
        Path logDir = prepareDataDir(dataDir);
        // Kafka locks a combined node's log dir only when its broker half starts, after the
        // controller half has already opened (and written to) the metadata log: lock first.
        return new KraftStorage(logDir, DataDirLock.acquire(dataDir));
    }

    /** Kafka's log dir ({@code log.dirs} and {@code metadata.log.dir}). */
    Path logDir() {
        return logDir;
    }

    /** Releases the directory lock; call once Kafka has stopped (or never started). */
    void release() {
        lock.release();
    }

    /** The cluster id of an already formatted log dir, or null if it was never formatted. */
    String clusterId() {
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
        if (!Integer.toString(EmbeddedKafkaBroker.NODE_ID).equals(nodeId.trim())) {
            throw new EmbeddedKafkaException("data directory " + logDir.getParent() + " was formatted for Kafka node id "
                    + nodeId.trim() + ", but the embedded broker is node id " + EmbeddedKafkaBroker.NODE_ID
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
    String format() {
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream printStream = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(printStream)
                    .setNodeId(EmbeddedKafkaBroker.NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(ServerProperties.CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("formatting Kafka storage in " + logDir + " failed: " + e.getMessage(), e);
        }
        LOG.debugf("formatted %s with cluster id %s: %s", logDir, clusterId, out.toString(StandardCharsets.UTF_8).trim());
        return clusterId;
    }

    /** Creates the data directory if needed and proves it writable; returns its Kafka log dir. */
    private static Path prepareDataDir(Path dataDir) {
        Path logDir = dataDir.resolve(EmbeddedKafkaBroker.LOG_DIR_NAME);
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
}
