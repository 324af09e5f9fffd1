package io.trolserve.api;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.trolserve.engine.EngineHealth;
import io.trolserve.service.EngineSettings;
import io.trolserve.service.ServiceRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * Readiness: the model is loaded and the engine steps (Kafka reachability comes from the Kafka
 * connector's own readiness checks). Liveness: while the service serves, its engine thread is
 * neither dead nor stalled ({@code trol.engine.stall-timeout}), since only a restart helps then.
 * Both carry the engine's health and, when it is not ALIVE, the reason in their data.
 */
@ApplicationScoped
public class ServiceHealth {

    @Inject
    ServiceRuntime runtime;

    @Inject
    EngineSettings engineSettings;

    @Produces
    @Readiness
    HealthCheck modelLoaded() {
        return () -> {
            ServiceRuntime.State state = runtime.state();
            return readiness(state, engineHealth(state));
        };
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
