package io.trolserve.api;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.trolserve.engine.Engine;
import io.trolserve.service.ServiceRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * Readiness: the model is loaded and the engine runs (Kafka reachability comes from the Kafka
 * connector's own readiness checks). Liveness: the engine thread has not died.
 */
@ApplicationScoped
public class ServiceHealth {

    @Inject
    ServiceRuntime runtime;

    @Produces
    @Readiness
    HealthCheck modelLoaded() {
        return () -> HealthCheckResponse.named("trol-model").status(runtime.ready())
                .withData("state", runtime.state().name()).build();
    }

    @Produces
    @Liveness
    HealthCheck engineAlive() {
        return () -> {
            boolean alive = runtime.state() != ServiceRuntime.State.READY || runtime.engine().map(Engine::isAlive).orElse(false);
            return HealthCheckResponse.named("trol-engine").status(alive).build();
        };
    }
}
