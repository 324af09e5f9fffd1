package io.trolserve.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bearer tokens switched on at run time, the way the Kubernetes bundle does it, on the jar built
 * with the defaults: /v1/* wants a token signed by the configured key from the configured issuer;
 * health and metrics stay open.
 */
class RestAuthIT {

    private static final String ISSUER = "https://issuer.trol.test";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static ServiceFixture fixture;
    static KeyPair trusted;

    @BeforeAll
    static void start() throws Exception {
        trusted = rsa();
        fixture = ServiceFixture.start("auth", work -> {
            Path key = work.resolve("jwt/public-key.pem");
            Files.createDirectories(key.getParent());
            Files.writeString(key, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(trusted.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            return new String[] {"-Dquarkus.http.auth.permission.api.enabled=true",
                    "-Dmp.jwt.verify.publickey.location=" + key, "-Dmp.jwt.verify.issuer=" + ISSUER};
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theApiRefusesRequestsWithoutAValidTokenAndServesThoseWithOne() throws Exception {
        long now = Instant.now().getEpochSecond();
        assertThat(get("/v1/engine", null).statusCode()).isEqualTo(401);
        assertThat(get("/v1/answers/any/tokens", null).statusCode()).isEqualTo(401);
        assertThat(post(null).statusCode()).isEqualTo(401);
        assertThat(get("/v1/engine", "not.a.jwt").statusCode()).isEqualTo(401);
        assertThat(get("/v1/engine", jwt(rsa().getPrivate(), ISSUER, now + 300)).statusCode()).as("signed by another key").isEqualTo(401);
        assertThat(get("/v1/engine", jwt(trusted.getPrivate(), "https://elsewhere.test", now + 300)).statusCode())
                .as("another issuer").isEqualTo(401);
        assertThat(get("/v1/engine", jwt(trusted.getPrivate(), ISSUER, now - 600)).statusCode()).as("expired").isEqualTo(401);

        String token = jwt(trusted.getPrivate(), ISSUER, now + 300);
        assertThat(get("/v1/engine", token).statusCode()).isEqualTo(200);
        HttpResponse<String> answer = post(token);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(get("/v1/answers/made-up/tokens", token).statusCode()).as("past the token, the API's own answer")
                .isEqualTo(404);
    }

    @Test
    void healthMetricsAndTheDashboardPageStayOpen() throws Exception {
        assertThat(get("/q/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(get("/q/health/live", null).statusCode()).isEqualTo(200);
        assertThat(get("/q/metrics", null).statusCode()).isEqualTo(200);
        assertThat(get("/", null).statusCode()).isEqualTo(200);
        assertThat(get("/q/health/ready", "not.a.jwt").statusCode()).as("tokens are checked only where required")
                .isEqualTo(200);
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(fixture.service.uri(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(fixture.service.uri("/v1/answers")).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"Who are you?\",\"params\":{\"maxNewTokens\":2}}"));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** A compact JWS (RFC 7515) with RS256: base64url(header).base64url(claims).base64url(signature). */
    static String jwt(PrivateKey key, String issuer, long expiresAt) throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", "trol-client");
        claims.put("upn", "trol-client");
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iat", Math.min(Instant.now().getEpochSecond(), expiresAt - 60));
        claims.put("exp", expiresAt);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(ServiceRecords.JSON.writeValueAsBytes(claims));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64.encodeToString(rs256.sign());
    }
}
