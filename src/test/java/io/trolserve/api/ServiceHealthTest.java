package io.trolserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.trolserve.api.ServiceHealth.RestConsumer;
import io.trolserve.engine.EngineHealth;
import io.trolserve.service.ServiceRuntime.State;

/** How the engine's health becomes liveness and readiness, without booting Quarkus. */
class ServiceHealthTest {

    private static final EngineHealth ALIVE = new EngineHealth(EngineHealth.Status.ALIVE, null);
    private static final EngineHealth STALLED = new EngineHealth(EngineHealth.Status.STALLED,
            "no engine step has finished for 130000 ms");
    private static final EngineHealth DEAD = new EngineHealth(EngineHealth.Status.DEAD, "the engine thread died: boom");

    @Test
    void aServingEngineIsLiveAndReady() {
        assertThat(ServiceHealth.liveness(State.READY, ALIVE).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        HealthCheckResponse ready = ServiceHealth.readiness(State.READY, ALIVE);
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(ready.getData().orElseThrow()).containsEntry("engine", "ALIVE").doesNotContainKey("reason");
    }

    @Test
    void aStalledOrDeadEngineFailsBothWithItsReason() {
        for (EngineHealth bad : new EngineHealth[] {STALLED, DEAD}) {
            for (HealthCheckResponse r : new HealthCheckResponse[] {ServiceHealth.liveness(State.READY, bad),
                    ServiceHealth.readiness(State.READY, bad)}) {
                assertThat(r.getStatus()).as("%s: %s", r.getName(), bad).isEqualTo(HealthCheckResponse.Status.DOWN);
                assertThat(r.getData().orElseThrow()).containsEntry("engine", bad.status().name())
                        .containsEntry("reason", bad.reason());
            }
        }
    }

    @Test
    void startingAndStoppingAreNotReadyButLive() {
        for (State s : new State[] {State.STOPPED, State.STARTING, State.STOPPING}) {
            assertThat(ServiceHealth.liveness(s, null).getStatus()).as("%s", s).isEqualTo(HealthCheckResponse.Status.UP);
            HealthCheckResponse ready = ServiceHealth.readiness(s, null);
            assertThat(ready.getStatus()).as("%s", s).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(ready.getData().orElseThrow()).containsEntry("state", s.name());
        }
    }

    @Test
    void readyOnlyOnceEachEnabledRestConsumerHoldsItsPartitions() {
        RestConsumer[] states = RestConsumer.values();
        for (RestConsumer answers : states) {
            for (RestConsumer tokens : states) {
                HealthCheckResponse r = ServiceHealth.restReadiness(answers, tokens);
                boolean waiting = answers == RestConsumer.WAITING_FOR_PARTITIONS || tokens == RestConsumer.WAITING_FOR_PARTITIONS;
                assertThat(r.getStatus()).as("%s, %s", answers, tokens)
                        .isEqualTo(waiting ? HealthCheckResponse.Status.DOWN : HealthCheckResponse.Status.UP);
                assertThat(r.getData().orElseThrow()).containsEntry("rest-answers", answers.name())
                        .containsEntry("rest-tokens", tokens.name());
            }
        }
    }
}
