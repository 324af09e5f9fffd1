package io.trolserve.api;

import java.time.Instant;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.trolserve.engine.Engine;
import io.trolserve.engine.EngineStats;
import io.trolserve.service.ServiceRuntime;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /v1/engine}: what the engine is doing right now, for the dashboard. It reads the
 * snapshot the engine thread publishes after every step ({@link Engine#stats()}), never the engine
 * itself: a caller polling once a second must not wait on, or race with, the thread that owns the
 * model and the KV pool.
 */
@Path("/v1/engine")
public class EngineResource {

    @Inject
    ServiceRuntime runtime;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The engine's latest snapshot: running and waiting requests, batch size, KV blocks, counters")
    @APIResponse(responseCode = "200", description = "The snapshot the engine published after its latest step",
            content = @Content(schema = @Schema(implementation = Snapshot.class)))
    @APIResponse(responseCode = "503", description = "No engine running yet (or any more): error.code engine-not-ready")
    public Response snapshot() {
        // state is volatile and set to READY after the engine field: reading it first makes the engine visible
        ServiceRuntime.State state = runtime.state();
        if (state != ServiceRuntime.State.READY) {
            return notReady("the engine is not running (service state " + state + ")");
        }
        Engine engine = runtime.engine().orElseThrow();
        if (!engine.isAlive()) {
            return notReady("the engine thread has died");
        }
        return Response.ok(Snapshot.of(runtime.modelName(), state, engine.stats(), Instant.now())).build();
    }

    static Response notReady(String message) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", Map.of("code", "engine-not-ready", "message", message))).build();
    }

    /**
     * The wire form of one {@link EngineStats}. KV counts are in blocks of the one pool both
     * traversal passes draw from: {@code kvBlocksFree} is what allocation can hand out now (never
     * used plus cached-but-unreferenced, which is evicted on demand), so {@code kvBlocksUsed =
     * total - free} is the blocks running requests hold. {@code kvBlocksCached} counts blocks
     * findable by prefix key, held or not, so it overlaps both used and free. The counters
     * ({@code promptTokens} to {@code traversalPasses}) run since start; {@code at} is when this
     * snapshot was read (the engine publishes one at least every idle poll, 50 ms).
     */
    public record Snapshot(String model, String state, int running, int waiting, int batchSize, int kvBlocksTotal,
                    int kvBlocksUsed, int kvBlocksFree, int kvBlocksCached, long visionCacheBytes, long promptTokens,
                    long generatedTokens, long preemptions, long steps, long traversalPasses, String at) {

        static Snapshot of(String model, ServiceRuntime.State state, EngineStats s, Instant at) {
            return new Snapshot(model, state.name(), s.running(), s.waiting(), s.lastBatchSize(), s.kvBlocksTotal(),
                    s.kvBlocksTotal() - s.kvBlocksFree(), s.kvBlocksFree(), s.kvBlocksCached(), s.visionCacheBytes(),
                    s.promptTokens(), s.generatedTokens(), s.preemptions(), s.steps(), s.traversalPasses(), at.toString());
        }
    }
}
