package io.trolserve.service;

import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import io.trolserve.broker.EmbeddedKafkaBroker;
import io.trolserve.messaging.KafkaSettings;
import io.trolserve.messaging.MessagingSettings;
import io.trolserve.messaging.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

/**
 * The order {@code serve} starts and stops things in. Start: the embedded broker (only when no
 * bootstrap servers are configured), the model and engine, then intake. Stop (SIGTERM): pause
 * intake, let running requests finish within the grace period (their answers are published and
 * their records acknowledged, so the connector commits them as it closes), leave the rest
 * uncommitted for redelivery, and stop the broker last.
 */
@ApplicationScoped
public class ServiceLifecycle {

    private static final Logger LOG = Logger.getLogger(ServiceLifecycle.class);

    @Inject
    ServiceRuntime runtime;

    @Inject
    KafkaSettings kafka;

    @Inject
    MessagingSettings messaging;

    @Inject
    ChannelRegistry channels;

    private EmbeddedKafkaBroker broker;

    /**
     * The embedded broker must be up before the Kafka clients are created during start-up, or
     * every client logs connection failures until it is; hence this early startup observer rather
     * than the serve command. Other subcommands run with the cli profile and need no broker.
     */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        boolean cli = ConfigUtils.getProfiles().contains("cli");
        if (!cli && ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class).isEmpty()) {
            startEmbeddedBroker();
        }
    }

    public void start() {
        runtime.start();
        PausableChannel intake = channels.getPausable(Topics.REQUESTS);
        if (intake != null) {
            intake.resume();
        }
        LOG.info("trol-serve is consuming " + kafka.topics().requests());
    }

    private void startEmbeddedBroker() {
        KafkaSettings.Embedded e = kafka.embedded();
        broker = EmbeddedKafkaBroker.start(e.dataDir(), "127.0.0.1", e.port());
        KafkaSettings.ConfiguredTopics t = kafka.topics();
        broker.createTopics(Map.of(t.requests(), e.partitions(), t.answers(), e.partitions(), t.tokens(),
                e.partitions(), t.requestsDlq(), e.partitions(), t.latencyStats(), 1, t.sloAlerts(), 1));
        LOG.infof("no kafka.bootstrap.servers configured: started an embedded Kafka broker at %s (data in %s)",
                broker.bootstrapServers(), e.dataDir());
    }

    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        if (!runtime.ready()) {
            return;
        }
        PausableChannel intake = channels.getPausable(Topics.REQUESTS);
        if (intake != null) {
            intake.pause();
        }
        LOG.infof("shutting down: finishing running requests for up to %s", messaging.shutdownGrace());
        runtime.stop(messaging.shutdownGrace());
    }

    @PreDestroy
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }
}
