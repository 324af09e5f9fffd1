package io.trolserve.analytics;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code trol.analytics.*}: the latency windows over {@code trol.tokens} and {@code trol.answers}. */
@ConfigMapping(prefix = "trol.analytics")
public interface AnalyticsSettings {

    /** Whether {@code serve} runs the Kafka Streams topology at all (other subcommands never do). */
    @WithDefault("true")
    boolean enabled();

    /** Size of the tumbling window; its name in {@code /v1/stats} is this size, e.g. {@code 10s}. */
    @WithDefault("10s")
    Duration tumblingWindow();

    /** Size of the hopping window, e.g. {@code 1m}; a multiple of the tumbling window (it is a union of them). */
    @WithDefault("1m")
    Duration hoppingWindow();

    /** How far the hopping window advances; a multiple of the tumbling window, at most the hopping size. */
    @WithDefault("10s")
    Duration hoppingAdvance();

    /** How late (behind the newest record seen) a record may arrive and still count in its window. */
    @WithDefault("10s")
    Duration grace();

    /** How long windows stay queryable; at least the hopping window plus the grace. */
    @WithDefault("15m")
    Duration retention();

    /**
     * The host other instances use to reach this one's {@code /v1/stats}, advertised to Kafka
     * Streams with the HTTP port (see application.properties); default {@code localhost}.
     */
    Optional<String> advertisedHost();

    /**
     * How long shutdown waits for the Kafka Streams client to commit, leave its consumer group and
     * close (see {@link StreamsShutdown}); counted within Quarkus' shutdown.
     */
    @WithDefault("10s")
    Duration closeTimeout();

    Slo slo();

    interface Slo {
        /** An alert when a closed tumbling window's time-to-first-token p99 is above this. */
        @WithName("ttft-p99")
        @WithDefault("2s")
        Duration ttftP99();

        /** An alert when a closed tumbling window's inter-token p99 is above this. */
        @WithName("itl-p99")
        @WithDefault("200ms")
        Duration itlP99();
    }
}
