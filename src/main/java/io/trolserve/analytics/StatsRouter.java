package io.trolserve.analytics;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Sends a stats query to the instance whose Kafka Streams task holds the model's windows. Each
 * instance advertises its HTTP address as Kafka Streams' {@code application.server}
 * ({@code quarkus.kafka-streams.application-server}), which is how the others find it.
 */
@ApplicationScoped
public class StatsRouter {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final HostInfo self;

    StatsRouter(@ConfigProperty(name = "quarkus.kafka-streams.application-server", defaultValue = "localhost:8080") String server) {
        self = HostInfo.buildFromEndpoint(server);
    }

    HostInfo self() {
        return self;
    }

    /** @param authorization the caller's Authorization header, or null: the owner checks it as this instance did */
    Response forward(HostInfo owner, String model, String window, int minutes, String authorization) {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + "/v1/stats?local=true&window="
                + URLEncoder.encode(window, StandardCharsets.UTF_8) + "&minutes=" + minutes
                + "&model=" + URLEncoder.encode(model, StandardCharsets.UTF_8));
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return Response.status(answer.statusCode()).type(MediaType.APPLICATION_JSON).entity(answer.body()).build();
        } catch (IOException e) {
            return StatsResource.notReady("the instance holding " + model + "'s windows (" + owner + ") did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StatsResource.notReady("interrupted while asking " + owner);
        }
    }
}
