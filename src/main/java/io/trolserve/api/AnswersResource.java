package io.trolserve.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.trolserve.messaging.Topics;
import io.trolserve.messaging.contract.ContractJson;
import io.trolserve.messaging.contract.InvalidRequestException;
import io.trolserve.messaging.contract.TokenEvent;
import io.trolserve.messaging.contract.TrolAnswer;
import io.trolserve.messaging.contract.TrolRequest;
import io.trolserve.service.ServiceRuntime;
import io.trolserve.vision.ImageDecodeException;
import io.trolserve.vision.ImageDecoder;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * REST beside Kafka: a request posted here goes through {@code trol.requests} like any other
 * (so it is batched, answered once, and survives a restart), and the caller waits for its answer
 * on {@code trol.answers}.
 */
@Path("/v1/answers")
public class AnswersResource {

    private static final Logger LOG = Logger.getLogger(AnswersResource.class);

    @Inject
    ServiceRuntime runtime;

    @Inject
    AnswerWaiters waiters;

    @Inject
    TokenFeed tokens;

    @Inject
    @Channel(Topics.REST_REQUESTS)
    Emitter<byte[]> requests;

    @Inject
    ApiSettings settings;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask one image-question through trol.requests and wait for its answer",
            description = "The body is a trol.requests v1 record (schemas/trol.requests.v1.schema.json); the answer is "
                    + "the trol.answers v1 record.")
    @APIResponse(responseCode = "200", description = "The answer (also published to trol.answers)")
    @APIResponse(responseCode = "400", description = "Bad input: error.code names the reason, as in the DLQ header")
    @APIResponse(responseCode = "409", description = "A POST of this id is still waiting on this instance: error.code id-in-flight")
    @APIResponse(responseCode = "503", description = "The model is not loaded yet")
    @APIResponse(responseCode = "504", description = "No answer within trol.api.answer-timeout; the request stays queued")
    public CompletionStage<Response> ask(
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.OBJECT, description = "a trol.requests v1 record"))) byte[] body) {
        return submit(body);
    }

    /**
     * The same as a form: an image file and a question (and optionally maxNewTokens and id). Every
     * field is taken as text and checked by the request parser, so a bad one gets the same error
     * code as in the JSON form.
     */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask about an uploaded image (form fields question, image, maxNewTokens, id)")
    public CompletionStage<Response> askWithUpload(@RestForm String question, @RestForm FileUpload image,
                                                   @RestForm String maxNewTokens, @RestForm String id) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id == null || id.isBlank() ? UUID.randomUUID().toString() : id);
        json.put("question", question);
        try {
            if (image != null) {
                byte[] bytes = java.nio.file.Files.readAllBytes(image.uploadedFile());
                String type = "image/" + ImageDecoder.probe(bytes).format().name().toLowerCase(Locale.ROOT);
                json.put("image", Map.of("data", Base64.getEncoder().encodeToString(bytes), "mediaType", type));
            }
            if (maxNewTokens != null) {
                json.put("params", Map.of("maxNewTokens", formNumber(maxNewTokens)));
            }
            return submit(new ObjectMapper().writeValueAsBytes(json));
        } catch (ImageDecodeException e) {
            return CompletableFuture.completedFuture(ApiErrors.badRequest(
                    e.code().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getMessage()));
        } catch (java.io.IOException e) {
            return CompletableFuture.completedFuture(ApiErrors.badRequest("invalid-upload", e.getMessage()));
        }
    }

    /** A form field's digits as a JSON integer (range checks are the parser's); anything else stays text. */
    private static Object formNumber(String field) {
        String trimmed = field.strip();
        return trimmed.matches("-?[0-9]{1,100}") ? new java.math.BigInteger(trimmed) : field;
    }

    @GET
    @Path("/{id}/tokens")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The request's trol.tokens events as server-sent events, from its first token to its final one")
    @APIResponse(responseCode = "200", description = "The events so far, then live ones until the final token")
    @APIResponse(responseCode = "404", description = "This instance has seen no token of this id and has no POST of it "
            + "waiting, or no longer keeps its tokens: error.code unknown-id")
    @APIResponse(responseCode = "410", description = "Still generating, but this instance dropped the stream's start "
            + "(trol.api.token-replay-bytes was full of live streams): error.code replay-dropped")
    public Multi<TokenEvent> tokens(@PathParam("id") String id) {
        TokenFeed.Opened opened = tokens.open(id, waiters.pending(id));
        switch (opened.outcome()) {
            case UNKNOWN:
                throw ApiErrors.failure(Response.Status.NOT_FOUND, "unknown-id",
                        "no token stream for " + id + " on this instance (unknown, or no longer kept)");
            case REPLAY_DROPPED:
                throw ApiErrors.failure(Response.Status.GONE, "replay-dropped", "the request " + id
                        + " is still generating but its first tokens were not kept (token replay budget full)");
            default:
                return opened.tokens();
        }
    }

    private CompletionStage<Response> submit(byte[] body) {
        if (!runtime.ready()) {
            return CompletableFuture.completedFuture(ApiErrors.error(Response.Status.SERVICE_UNAVAILABLE, "not-ready",
                    "the model is not loaded yet"));
        }
        String fallbackId = UUID.randomUUID().toString();
        TrolRequest request;
        try {
            request = runtime.parser().parse(body, fallbackId);
        } catch (InvalidRequestException e) {
            return CompletableFuture.completedFuture(ApiErrors.badRequest(e.code().wireName(), e.getMessage()));
        } catch (RuntimeException e) {
            // the parser's job is to name what is wrong with the input; when it fails to, the input
            // is still what it choked on: a 400, and a warning so the parser gets fixed
            LOG.warnf(e, "the request parser failed on a REST body instead of rejecting it");
            return CompletableFuture.completedFuture(ApiErrors.badRequest("invalid-request", e.getMessage()));
        }
        Optional<CompletableFuture<TrolAnswer>> waiting = waiters.await(request.id(), settings.answerTimeout());
        if (waiting.isEmpty()) {
            return CompletableFuture.completedFuture(ApiErrors.error(Response.Status.CONFLICT, "id-in-flight",
                    "a request with id " + request.id() + " is already waiting for its answer on this instance"));
        }
        byte[] value = request.id().equals(fallbackId) ? withId(body, fallbackId) : body;
        OutgoingKafkaRecordMetadata<byte[]> key = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(request.id().getBytes(StandardCharsets.UTF_8)).build();
        requests.send(Message.of(value).addMetadata(key).withNack(failure -> {
            waiters.fail(request.id(), failure);
            return CompletableFuture.completedFuture(null);
        }));
        return waiting.get().handle((a, failure) -> {
            if (failure == null) {
                return Response.ok(ContractJson.toJson(a)).build();
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof TimeoutException) {
                return ApiErrors.error(Response.Status.GATEWAY_TIMEOUT, "timeout",
                        "no answer for " + request.id() + " within " + settings.answerTimeout());
            }
            return ApiErrors.error(Response.Status.BAD_GATEWAY, "kafka", String.valueOf(cause.getMessage()));
        });
    }

    /** The request JSON with the generated id set, so that the record carries the id the caller waits for. */
    private static byte[] withId(byte[] body, String id) {
        try {
            ObjectMapper json = new ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(body);
            node.put("id", id);
            return json.writeValueAsBytes(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a request that parsed could not be re-read", e);
        }
    }

}
