package io.trolserve.messaging.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;

/**
 * The one JSON configuration of the contracts: compact output, nulls left out (every nullable
 * field is optional in the schemas), and strict reading of what a field holds (missing required
 * fields, "12" for a number and 1.5 for an int all fail). Fields this version does not know are
 * ignored, as for requests: contracts evolve by adding fields (v1 answers gained {@code attempt}
 * and {@code warnings}), and a reader of answers and tokens must not break on a newer producer's.
 *
 * <p>Requests are read only through {@link RequestParser}; {@link #write(TrolRequest)} exists for
 * the producers of requests ({@code ask}, the REST side, tests).
 */
public final class ContractJson {

    /** The contract version every output carries and every request may carry. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .defaultPropertyInclusion(JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private ContractJson() {}

    /** The shared, configured mapper. Thread-safe to use; never reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(TrolAnswer answer) {
        return bytes(answer);
    }

    public static byte[] write(TokenEvent token) {
        return bytes(token);
    }

    /** The wire form of a request, with {@code "version": 1} and base64 (padded) inline images. */
    public static byte[] write(TrolRequest request) {
        return bytes(requestTree(request));
    }

    /** One line of JSON, as {@code generate --requests} prints it. */
    public static String toJson(TrolAnswer answer) {
        return string(answer);
    }

    public static String toJson(TokenEvent token) {
        return string(token);
    }

    public static String toJson(TrolRequest request) {
        return string(requestTree(request));
    }

    /** @throws IllegalArgumentException when the bytes are not a v1 answer */
    public static TrolAnswer readAnswer(byte[] json) {
        return read(json, TrolAnswer.class);
    }

    /** @throws IllegalArgumentException when the bytes are not a v1 token event */
    public static TokenEvent readToken(byte[] json) {
        return read(json, TokenEvent.class);
    }

    private static ObjectNode requestTree(TrolRequest request) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        root.put("id", request.id());
        root.put("question", request.question());
        if (request.image() instanceof InlineImage inline) {
            root.putObject("image")
                    .put("data", Base64.getEncoder().encodeToString(inline.data()))
                    .put("mediaType", inline.mediaType());
        } else if (request.image() instanceof UrlImage url) {
            root.putObject("image").put("url", url.url().toString());
        }
        root.set("params", MAPPER.valueToTree(request.params()));
        if (request.deadline() != null) {
            root.put("deadline", request.deadline().toString()); // ISO-8601, e.g. ...T10:00:00Z
        }
        return root;
    }

    private static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    private static String string(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    private static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "not a v1 " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
