package io.trolserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.trolserve.engine.EngineStats;
import io.trolserve.service.ServiceRuntime;
import jakarta.ws.rs.core.Response;

/** The engine snapshot's wire form and the not-ready answer, without booting Quarkus. */
class EngineResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void snapshotNamesEveryFieldOfTheContractAndDerivesUsedBlocksFromFree() {
        // running, waiting, batch, total, free, cached, vision bytes, images, vision hits, steps,
        // preemptions, prompt, generated, traversal, prefix hits: all distinct so a swap shows
        EngineStats stats = new EngineStats(3, 1, 4, 512, 472, 10, 123, 7, 8, 900, 2, 5000, 640, 4800, 96);
        JsonNode json = JSON.valueToTree(EngineResource.Snapshot.of("micro", ServiceRuntime.State.READY, stats,
                Instant.parse("2026-11-26T12:00:01.250Z")));

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("model", "state", "running", "waiting", "batchSize", "kvBlocksTotal",
                "kvBlocksUsed", "kvBlocksFree", "kvBlocksCached", "visionCacheBytes", "promptTokens", "generatedTokens",
                "preemptions", "steps", "traversalPasses", "at");
        assertThat(json.get("model").asText()).isEqualTo("micro");
        assertThat(json.get("state").asText()).isEqualTo("READY");
        assertThat(json.get("running").asInt()).isEqualTo(3);
        assertThat(json.get("waiting").asInt()).isEqualTo(1);
        assertThat(json.get("batchSize").asInt()).isEqualTo(4);
        assertThat(json.get("kvBlocksTotal").asInt()).isEqualTo(512);
        assertThat(json.get("kvBlocksUsed").asInt()).isEqualTo(40);
        assertThat(json.get("kvBlocksFree").asInt()).isEqualTo(472);
        assertThat(json.get("kvBlocksCached").asInt()).isEqualTo(10);
        assertThat(json.get("visionCacheBytes").asLong()).isEqualTo(123);
        assertThat(json.get("promptTokens").asLong()).isEqualTo(5000);
        assertThat(json.get("generatedTokens").asLong()).isEqualTo(640);
        assertThat(json.get("preemptions").asLong()).isEqualTo(2);
        assertThat(json.get("steps").asLong()).isEqualTo(900);
        assertThat(json.get("traversalPasses").asLong()).isEqualTo(4800);
        assertThat(json.get("at").asText()).isEqualTo("2026-11-26T12:00:01.250Z");
    }

    @Test
    void beforeTheFirstStepEverythingIsZero() {
        EngineResource.Snapshot s = EngineResource.Snapshot.of("m", ServiceRuntime.State.READY, EngineStats.EMPTY,
                Instant.EPOCH);
        assertThat(s.kvBlocksUsed()).isZero();
        assertThat(s.kvBlocksTotal()).isZero();
        assertThat(s.at()).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void answers503WithAnErrorCodeWhileTheServiceHasNoEngine() {
        EngineResource resource = new EngineResource();
        resource.runtime = new ServiceRuntime();   // never started: STOPPED, no engine

        Response r = resource.snapshot();

        assertThat(r.getStatus()).isEqualTo(503);
        JsonNode body = JSON.valueToTree(r.getEntity());
        assertThat(body.get("error").get("code").asText()).isEqualTo("engine-not-ready");
        assertThat(body.get("error").get("message").asText()).contains("STOPPED");
    }
}
