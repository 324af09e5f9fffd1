package io.trolserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Unit tier: the inter-token target a configuration accepts. */
class EngineConfigTest {

    @Test
    void aTargetIsZeroOrPositiveAndAtMostAnHour() {
        EngineConfig base = EngineConfig.defaults(64);

        assertThat(base.withItlTarget(Duration.ZERO).hasItlTarget()).isFalse();
        assertThat(base.withItlTarget(EngineConfig.MAX_ITL_TARGET).hasItlTarget()).isTrue();
        assertThatThrownBy(() -> base.withItlTarget(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        // a million days would overflow the nanoseconds every step is planned in
        assertThatThrownBy(() -> base.withItlTarget(Duration.ofDays(1_000_000))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most");
        assertThatThrownBy(() -> base.withItlTarget(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
