package io.trolserve.api;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Every REST failure as the same JSON, {@code {"error": {"code", "message"}}}, never a stack
 * trace. Client mistakes the framework finds (an unparsable form field, a wrong content type, a
 * broken multipart body) keep their 4xx status; anything else is our fault: 500
 * {@code internal-error}, with the stack trace in the log under an error id the caller is given.
 */
public final class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    static Response error(Response.StatusType status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", Map.of("code", code, "message", message == null ? "" : message))).build();
    }

    static Response badRequest(String code, String message) {
        return error(Response.Status.BAD_REQUEST, code, message);
    }

    /** Thrown where a resource method cannot return a Response itself (the SSE stream). */
    static WebApplicationException failure(Response.Status status, String code, String message) {
        return new WebApplicationException(error(status, code, message));
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        Response given = e.getResponse();
        if (given.hasEntity()) {
            return given;   // ours, already JSON
        }
        Response.StatusType status = given.getStatusInfo();
        String reason = status.getReasonPhrase();
        String code = reason == null || reason.isBlank() ? "http-" + status.getStatusCode()
                : reason.toLowerCase(Locale.ROOT).replace(' ', '-');
        return error(status, code, e.getMessage());
    }

    /** The body could not be read: a multipart body that ends early or has no closing boundary. */
    @ServerExceptionMapper
    public Response unreadable(IOException e) {
        return badRequest("unreadable-body", e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "REST request failed unexpectedly, error id %s", errorId);
        return error(Response.Status.INTERNAL_SERVER_ERROR, "internal-error",
                "unexpected failure; the service log has the details under error id " + errorId);
    }
}
