package io.trolserve.analytics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import io.trolserve.messaging.ServingPort;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /v1/stats}: the latency windows of one model over the last minutes, read from the
 * topology's window stores (Kafka Streams interactive queries). While the stores are not
 * queryable (start-up, rebalance) it answers 503 at once, with Retry-After, instead of waiting.
 */
@Path("/v1/stats")
public class StatsResource {

    static final int MAX_MINUTES = 60;

    @Inject
    Instance<KafkaStreams> streams;

    @Inject
    AnalyticsSettings settings;

    /** Only for the name of the model this instance serves (null until it is loaded). */
    @Inject
    ServingPort serving;

    @Inject
    StatsRouter router;

    /** The answer's body: the windows that started in the period asked for, oldest first. */
    public record StatsPage(String model, String window, List<LatencyStats> windows) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Latency percentiles per window for one model, from the Kafka Streams state stores")
    public Response stats(
            @Parameter(description = "Model name; default: the model this instance serves") @QueryParam("model") String model,
            @Parameter(description = "Window name: the tumbling window's size (default 10s) or the hopping one's (default 1m)")
            @QueryParam("window") @DefaultValue("10s") String window,
            @Parameter(description = "How many minutes back, 1 to 60") @QueryParam("minutes") @DefaultValue("5") int minutes,
            @Parameter(description = "Answer from this instance's stores only (set when one instance asks another)")
            @QueryParam("local") @DefaultValue("false") boolean local,
            // passed on when forwarding, so the other instance lets the query in where bearer tokens are required
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        String tumbling = LatencyTopology.windowName(settings.tumblingWindow());
        String hopping = LatencyTopology.windowName(settings.hoppingWindow());
        if (!window.equals(tumbling) && !window.equals(hopping)) {
            return error(Response.Status.BAD_REQUEST, "bad-window", "window must be " + tumbling + " or " + hopping + ", not " + window);
        }
        if (minutes < 1 || minutes > MAX_MINUTES) {
            return error(Response.Status.BAD_REQUEST, "bad-minutes", "minutes must be 1.." + MAX_MINUTES + ", not " + minutes);
        }
        String name = model == null || model.isBlank() ? serving.modelName() : model;
        if (name == null) {
            return notReady("the model is not loaded yet");
        }
        if (!settings.enabled() || !streams.isResolvable()) {
            return error(Response.Status.SERVICE_UNAVAILABLE, "analytics-disabled", "trol.analytics.enabled is false");
        }
        KafkaStreams kafkaStreams = streams.get();
        if (kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            return notReady("Kafka Streams is " + kafkaStreams.state());
        }
        String store = LatencyTopology.TUMBLING_STORE;
        KeyQueryMetadata owner = kafkaStreams.queryMetadataForKey(store, name, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return notReady("no instance hosts the " + store + " store for " + name + " yet");
        }
        if (!local && !owner.activeHost().equals(router.self())) {
            // the instances of a deployment share the topology's tasks: this model's windows live elsewhere
            return router.forward(owner.activeHost(), name, window, minutes, authorization);
        }
        try {
            ReadOnlyWindowStore<String, LatencyWindow> windows = kafkaStreams.store(
                    StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.windowStore()));
            Instant to = Instant.now();
            Instant from = to.minus(Duration.ofMinutes(minutes));
            List<LatencyStats> found = new ArrayList<>();
            if (window.equals(tumbling)) {
                try (WindowStoreIterator<LatencyWindow> it = windows.fetch(name, from, to)) {
                    while (it.hasNext()) {
                        KeyValue<Long, LatencyWindow> next = it.next();
                        Instant start = Instant.ofEpochMilli(next.key);
                        found.add(LatencyStats.of(name, window, start, start.plus(settings.tumblingWindow()), next.value));
                    }
                }
            } else {
                HoppingWindows hoppingWindows = LatencyTopology.hoppingWindows(settings);
                for (Instant start : hoppingWindows.startingBetween(from, to)) {
                    LatencyStats stats = hoppingWindows.stats(name, start, (key, first, last) -> fetch(windows, key, first, last));
                    if (stats != null) {
                        found.add(stats);
                    }
                }
            }
            return Response.ok(AnalyticsJson.write(new StatsPage(name, window, found))).type(MediaType.APPLICATION_JSON).build();
        } catch (InvalidStateStoreException e) {
            return notReady("the " + store + " store is not queryable yet: " + e.getMessage());
        }
    }

    private static List<LatencyWindow> fetch(ReadOnlyWindowStore<String, LatencyWindow> windows, String model, Instant from,
                                             Instant to) {
        List<LatencyWindow> found = new ArrayList<>();
        try (WindowStoreIterator<LatencyWindow> it = windows.fetch(model, from, to)) {
            it.forEachRemaining(kv -> found.add(kv.value));
        }
        return found;
    }

    static Response notReady(String message) {
        return Response.fromResponse(error(Response.Status.SERVICE_UNAVAILABLE, "stats-not-ready", message))
                .header("Retry-After", "2").build();
    }

    static Response error(Response.Status status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(AnalyticsJson.write(Map.of("error", Map.of("code", code, "message", message)))).build();
    }
}
