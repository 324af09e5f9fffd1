package io.trolserve.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import jakarta.ws.rs.core.Response;

/** A forwarded stats query carries the caller's bearer token, so an instance that requires one lets it in. */
class StatsRouterTest {

    private HttpServer owner;
    private final List<String> authorizations = new ArrayList<>();

    @BeforeEach
    void startOwner() throws Exception {
        owner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        owner.createContext("/v1/stats", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"windows\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        owner.start();
    }

    @AfterEach
    void stopOwner() {
        owner.stop(0);
    }

    @Test
    void theCallersAuthorizationGoesAlongAndNoneIsInventedWithoutOne() {
        StatsRouter router = new StatsRouter("127.0.0.1:1");
        HostInfo host = new HostInfo("127.0.0.1", owner.getAddress().getPort());

        Response withToken = router.forward(host, "m", "10s", 5, "Bearer abc.def.ghi");
        Response without = router.forward(host, "m", "10s", 5, null);

        assertThat(withToken.getStatus()).isEqualTo(200);
        assertThat(without.getStatus()).isEqualTo(200);
        assertThat(authorizations).containsExactly("Bearer abc.def.ghi", "null");
    }
}
