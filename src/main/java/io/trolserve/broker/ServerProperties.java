package io.trolserve.broker;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Translates {@link EmbeddedKafkaBroker.Settings} into the Kafka server properties of the one
 * combined node: single-node defaults first, then the caller's overrides, then the node's identity
 * and listener wiring, which no override may change.
 */
final class ServerProperties {

    static final String CLIENT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private ServerProperties() {
    }

    static Map<String, String> of(EmbeddedKafkaBroker.Settings s, Path logDir, int port, int controllerPort,
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
        p.put("message.max.bytes", Integer.toString(EmbeddedKafkaBroker.DEFAULT_MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(EmbeddedKafkaBroker.DEFAULT_MAX_MESSAGE_BYTES));
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
        p.put("node.id", Integer.toString(EmbeddedKafkaBroker.NODE_ID));
        p.put("controller.quorum.voters", EmbeddedKafkaBroker.NODE_ID + "@" + hostPort(controllerHost, controllerPort));
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

    /** {@code host:port}, with an IPv6 literal in brackets. */
    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}
