package io.trolserve.broker;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * Starts and stops the {@link KafkaRaftServer} of the one node: picks its ports, retries when a
 * free port was taken before Kafka bound it, and turns a failed start into a message that names
 * the cause (port in use, data directory locked by another Kafka).
 */
final class NodeLauncher {

    // one log category for the whole embedded broker, as before the split into several classes
    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);

    private static final int FREE_PORT_ATTEMPTS = 3;

    /** A started (not necessarily ready) server and the ports it bound. */
    record Launched(KafkaRaftServer server, int port, int controllerPort) {
    }

    private NodeLauncher() {
    }

    static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new EmbeddedKafkaException("cannot bind the embedded Kafka broker to host '" + host
                    + "': unknown host", e);
        }
    }

    static void checkPortFree(InetAddress address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot start the embedded Kafka broker: port " + port + " on "
                    + address.getHostAddress() + " is already in use (" + e.getMessage() + ")", e);
        }
    }

    /** Starts the server on {@code settings.port()}, or on a free port if that is 0. */
    static Launched launch(EmbeddedKafkaBroker.Settings settings, InetAddress bindAddress, Path logDir,
            String advertisedHost) {
        // Free ports are found by binding and releasing them, so another process may take one
        // before Kafka binds it: retry with fresh ports. (A fixed client port was checked before.)
        for (int attempt = 1; ; attempt++) {
            int port = settings.port() != 0 ? settings.port() : freePort(bindAddress);
            int controllerPort = freePort(InetAddress.getLoopbackAddress());
            KafkaRaftServer server = null;
            try {
                Map<String, String> props = ServerProperties.of(settings, logDir, port, controllerPort, advertisedHost);
                server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
                server.startup();
                return new Launched(server, port, controllerPort);
            } catch (RuntimeException | Error e) {
                stopQuietly(server);
                BindException bind = findCause(e, BindException.class);
                if (bind != null && attempt < FREE_PORT_ATTEMPTS) {
                    LOG.debugf("port race while starting the embedded Kafka broker (%s), retrying", bind.getMessage());
                    continue;
                }
                throw startFailure(settings, logDir, port, controllerPort, e);
            }
        }
    }

    /** Stops a server that never became a usable broker; a failure here must not hide the first one. */
    static void stopQuietly(KafkaRaftServer server) {
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

    private static int freePort(InetAddress address) {
        try (ServerSocket socket = new ServerSocket(0, 1, address)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot find a free port on " + address.getHostAddress() + ": " + e, e);
        }
    }

    private static EmbeddedKafkaException startFailure(EmbeddedKafkaBroker.Settings s, Path logDir, int port,
            int controllerPort, Throwable e) {
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
}
