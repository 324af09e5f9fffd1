package io.trolserve.api;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.common.annotation.Identifier;
import io.trolserve.engine.EngineHealth;
import io.trolserve.messaging.KafkaSettings;
import io.trolserve.messaging.Topics;
import io.trolserve.service.EngineSettings;
import io.trolserve.service.ServiceRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * Readiness: the model is loaded and the engine steps, and the REST side's consumers hold their
 * partitions of trol.answers and trol.tokens (Kafka reachability comes from the Kafka connector's
 * own readiness checks). Liveness: while the service serves, its engine thread is
 * neither dead nor stalled ({@code trol.engine.stall-timeout}), since only a restart helps then.
 * Both carry the engine's health and, when it is not ALIVE, the reason in their data.
 */
@ApplicationScoped
public class ServiceHealth {

    @Inject
    ServiceRuntime runtime;

    @Inject
    EngineSettings engineSettings;

    @Inject
    @Identifier(RestConsumerAssignment.NAME)
    RestConsumerAssignment restAssignment;

    @Inject
    KafkaSettings kafka;

    @ConfigProperty(name = "mp.messaging.incoming." + Topics.REST_ANSWERS + ".enabled", defaultValue = "true")
    boolean restAnswersEnabled;

    @ConfigProperty(name = "mp.messaging.incoming." + Topics.REST_TOKENS + ".enabled", defaultValue = "true")
    boolean restTokensEnabled;

    @Produces
    @Readiness
    HealthCheck modelLoaded() {
        return () -> {
            ServiceRuntime.State state = runtime.state();
            return readiness(state, engineHealth(state));
        };
    }

    @Produces
    @Readiness
    HealthCheck restConsumersAssigned() {
        return () -> restReadiness(restConsumer(restAnswersEnabled, kafka.topics().answers()),
                restConsumer(restTokensEnabled, kafka.topics().tokens()));
    }

    @Produces
    @Liveness
    HealthCheck engineAlive() {
        return () -> {
            ServiceRuntime.State state = runtime.state();
            return liveness(state, engineHealth(state));
        };
    }

    /** Null unless READY: starting and stopping are the service's business, not the engine's. */
    private EngineHealth engineHealth(ServiceRuntime.State state) {
        // state is volatile and set to READY after the engine field: reading it first makes the engine visible
        return state != ServiceRuntime.State.READY ? null
                : runtime.engine().map(e -> e.health(engineSettings.stallTimeout())).orElse(null);
    }

    static HealthCheckResponse readiness(ServiceRuntime.State state, EngineHealth engine) {
        boolean up = state == ServiceRuntime.State.READY && engine != null && engine.ok();
        return withEngine(HealthCheckResponse.named("trol-model").withData("state", state.name()), engine).status(up)
                .build();
    }

    enum RestConsumer { ASSIGNED, DISABLED, WAITING_FOR_PARTITIONS }

    private RestConsumer restConsumer(boolean enabled, String topic) {
        return !enabled ? RestConsumer.DISABLED
                : restAssignment.holds(topic) ? RestConsumer.ASSIGNED : RestConsumer.WAITING_FOR_PARTITIONS;
    }

    static HealthCheckResponse restReadiness(RestConsumer answers, RestConsumer tokens) {
        boolean up = answers != RestConsumer.WAITING_FOR_PARTITIONS && tokens != RestConsumer.WAITING_FOR_PARTITIONS;
        return HealthCheckResponse.named("trol-rest-consumers").withData(Topics.REST_ANSWERS, answers.name())
                .withData(Topics.REST_TOKENS, tokens.name()).status(up).build();
    }

    static HealthCheckResponse liveness(ServiceRuntime.State state, EngineHealth engine) {
        boolean up = state != ServiceRuntime.State.READY || engine != null && engine.ok();
        return withEngine(HealthCheckResponse.named("trol-engine"), engine).status(up).build();
    }

    private static HealthCheckResponseBuilder withEngine(HealthCheckResponseBuilder b, EngineHealth engine) {
        if (engine != null) {
            b.withData("engine", engine.status().name());
            if (engine.reason() != null) {
                b.withData("reason", engine.reason());
            }
        }
        return b;
    }
}
