package io.trolserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.trolserve.model.Placement;
import io.trolserve.model.TinyCheckpointSpec;
import io.trolserve.model.TinyCheckpoints;

/**
 * 500 consecutive generations (each: image encode, traversed prefill, decode) must not grow the
 * process RSS by 5% after warm-up: per-step native temporaries are scoped and freed every step.
 * The surefire JVM pre-touches a fixed heap, so heap growth cannot mask or mimic a native leak.
 */
class NativeMemoryFlatTest {

    @Test
    void rssStaysFlatOver500Generations() {
        MemoryBench.Report report = MemoryBench.run(TinyCheckpoints.of(TinyCheckpointSpec.micro()),
                Placement.cpuFloat32(), 50, 500, 8);
        System.out.println("native memory: " + report);
        assertThat(report.growthPercent()).isLessThan(5.0);
    }
}
