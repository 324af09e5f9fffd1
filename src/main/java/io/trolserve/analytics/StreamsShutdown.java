package io.trolserve.analytics;

import java.time.Duration;

import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

/**
 * Closes the analytics' Kafka Streams client on shutdown so that it leaves its consumer group,
 * and a restarted instance, or the other instances, get its tasks at once.
 *
 * <p>Why: Kafka Streams' consumers never send a LeaveGroup themselves (Streams sets the internal
 * {@code leave.group.on.close} to false, so a rolling bounce of an application with persistent
 * stores does not move tasks away and back), and Quarkus' extension closes the client with a plain
 * {@code close()}. The group then waited out the old member's session timeout (45 s) before a
 * rebalance could complete, and {@code /v1/stats} answered 503 REBALANCING for a minute after every
 * restart. Our stores are in memory and rebuilt from their changelogs on every start anyway, so
 * staying in the group saves nothing.
 *
 * <p>How: in Kafka 4.1 {@code close(new CloseOptions().leaveGroup(true))} removes the client's
 * members through the admin client by {@code group.instance.id}, so it works for static members
 * only; application.properties makes the analytics a static member with an id of its own per
 * process ({@code quarkus.uuid}). That id is unique per instance on a host, and it need not be
 * stable across restarts, as the old one is removed on close. (Streams' {@code removeStreamThread}
 * does not help: its consumer's leave is silenced by the same internal setting.) After a crash
 * the member stays until its session times out, as a dynamic one would.
 *
 * <p>When: after {@code ServiceLifecycle} has let running requests finish (priority
 * PLATFORM_BEFORE), so their last tokens are still counted, and before the extension's own close
 * (default priority), which then finds the client closed.
 */
@ApplicationScoped
public class StreamsShutdown {

    private static final Logger LOG = Logger.getLogger(StreamsShutdown.class);

    @Inject
    AnalyticsSettings settings;

    @Inject
    Instance<KafkaStreams> streams;

    void onShutdown(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownEvent event) {
        if (settings.enabled() && streams.isResolvable()) { // as StatsResource: never creates a client
            closeLeavingTheGroup(streams.get(), settings.closeTimeout());
        }
    }

    static void closeLeavingTheGroup(KafkaStreams kafkaStreams, Duration timeout) {
        if (!kafkaStreams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(timeout))) {
            LOG.warnf("the analytics' Kafka Streams client did not close within %s; if it did not leave its"
                    + " consumer group, the next start waits for its session timeout", timeout);
        }
    }
}
