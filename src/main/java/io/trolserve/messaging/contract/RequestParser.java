package io.trolserve.messaging.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Turns a {@code trol.requests} record value into a {@link TrolRequest}, or says precisely why not.
 *
 * <p>Order of checks: null value, strict UTF-8, JSON syntax, an object, the version, then id,
 * question, image, params, deadline; the first failure wins, and once the id is known the failure
 * carries it (so the requester can be answered). Unknown fields are ignored and reported to the
 * {@link UnknownFieldListener}. Whatever the bytes, {@link #parse} returns a request or throws
 * {@link InvalidRequestException} with a code; no other exception escapes (RequestParserFuzzTest).
 * Thread-safe: the mapper is configured once in the constructor and only read afterwards.
 */
public final class RequestParser {

    private static final Set<String> FIELDS =
            Set.of("version", "id", "question", "image", "params", "deadline");

    private final RequestLimits limits;
    private final ObjectMapper mapper;
    private final ImageParser images;
    private final ParamsParser params;
    private final UnknownFieldListener unknownFields;

    public RequestParser(RequestLimits limits) {
        this(limits, UnknownFieldListener.IGNORE);
    }

    public RequestParser(RequestLimits limits, UnknownFieldListener unknownFields) {
        this.limits = limits;
        this.mapper = mapperFor(limits);
        this.unknownFields = unknownFields;
        this.images = new ImageParser(limits, unknownFields);
        this.params = new ParamsParser(limits, unknownFields);
    }

    public RequestLimits limits() {
        return limits;
    }

    /**
     * @param value the record value, possibly null (a tombstone)
     * @param recordKey the record key as a string, possibly null; the id when the value has none
     */
    public TrolRequest parse(byte[] value, String recordKey) throws InvalidRequestException {
        try {
            return parseChecked(value, recordKey);
        } catch (RuntimeException | StackOverflowError e) {
            // a parser bug or a library edge case must still end as a coded refusal, never stop intake
            throw Fields.fail(ErrorCode.UNREADABLE_REQUEST, "the request could not be read ("
                    + e.getClass().getSimpleName() + ": " + Fields.cut(String.valueOf(e.getMessage())) + ")");
        }
    }

    private TrolRequest parseChecked(byte[] value, String recordKey) throws InvalidRequestException {
        if (value == null) {
            throw Fields.fail(ErrorCode.NULL_VALUE, "record value is null");
        }
        requireUtf8(value);
        JsonNode root = readTree(value);
        if (!root.isObject()) {
            throw Fields.fail(ErrorCode.NOT_AN_OBJECT,
                    "a request must be a JSON object, got " + root.getNodeType());
        }
        checkVersion(root.get("version"));
        String id = id(root.get("id"), recordKey);
        try {
            Fields.noteUnknown(root, "", FIELDS, unknownFields);
            return new TrolRequest(
                    id,
                    question(root.get("question")),
                    images.parse(root.get("image")),
                    params.parse(root.get("params")),
                    deadline(root.get("deadline")));
        } catch (InvalidRequestException e) {
            throw e.withRequestId(id);
        }
    }

    private static ObjectMapper mapperFor(RequestLimits limits) {
        // Jackson refuses strings over 20M chars by default; an inline image at the limit is
        // longer in base64 (4/3, plus line breaks), so allow twice its encoded size.
        long encoded = ((long) limits.maxInlineImageBytes() + 2) / 3 * 4;
        int maxString = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(1 << 20, 2 * encoded + 1024));
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxString).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return JsonMapper.builder(factory)
                // exact decimals: 12.0 counts as an integer and 1e30 never rounds into range
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
    }

    /**
     * Strict UTF-8 before any JSON parsing: Jackson would otherwise guess UTF-16/32 from NUL bytes
     * and decode some malformed sequences leniently. Decodes into a small reused buffer, so a large
     * value costs no large allocation.
     */
    private static void requireUtf8(byte[] value) throws InvalidRequestException {
        for (int i = 0; i < Math.min(4, value.length); i++) {
            if (value[i] == 0) {
                throw Fields.fail(ErrorCode.NOT_UTF8, "NUL byte at offset " + i
                        + "; the value looks UTF-16 or UTF-32 encoded, not UTF-8");
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports, never replaces
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw Fields.fail(ErrorCode.NOT_UTF8,
                        "value is not valid UTF-8 at byte offset " + in.position());
            }
            if (result.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    private JsonNode readTree(byte[] value) throws InvalidRequestException {
        try (JsonParser parser = mapper.createParser(value)) {
            try {
                JsonNode root = mapper.readTree(parser);
                if (root == null || root.isMissingNode()) {
                    throw Fields.fail(ErrorCode.MALFORMED_JSON, "value is empty");
                }
                if (parser.nextToken() != null) {
                    throw Fields.fail(ErrorCode.MALFORMED_JSON, "trailing content after the JSON value at "
                            + where(parser));
                }
                return root;
            } catch (StreamConstraintsException e) {
                throw overlong(parser, e);
            } catch (NumberFormatException e) {
                // 1e2147483648: Jackson's BigDecimal cannot hold the exponent
                throw Fields.fail(ErrorCode.MALFORMED_JSON, "a number is out of range at " + where(parser));
            } catch (JsonProcessingException e) {
                throw Fields.fail(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
            }
        } catch (IOException e) {
            throw Fields.fail(ErrorCode.MALFORMED_JSON, "unreadable JSON: " + e.getMessage());
        }
    }

    /** A value beyond Jackson's limits: name the size error of the field a too-long string belongs to. */
    private InvalidRequestException overlong(JsonParser parser, StreamConstraintsException e) {
        if (!String.valueOf(e.getOriginalMessage()).contains("String value length")) {
            return Fields.fail(ErrorCode.MALFORMED_JSON, "the value exceeds a JSON limit: "
                    + Fields.cut(String.valueOf(e.getOriginalMessage())));
        }
        String field = parser.getParsingContext().getCurrentName();
        if ("data".equals(field)) {
            return Fields.fail(ErrorCode.IMAGE_TOO_LARGE,
                    "image.data decodes to more than " + limits.maxInlineImageBytes() + " bytes");
        }
        if ("question".equals(field)) {
            return Fields.fail(ErrorCode.QUESTION_TOO_LONG,
                    "question is longer than " + limits.maxQuestionChars() + " chars");
        }
        return Fields.fail(ErrorCode.MALFORMED_JSON, "a string value in "
                + (field == null ? "the value" : Fields.quote(field)) + " is too long");
    }

    private static String where(JsonParser parser) {
        return "line " + parser.currentLocation().getLineNr()
                + ", column " + parser.currentLocation().getColumnNr();
    }

    private static void checkVersion(JsonNode n) throws InvalidRequestException {
        if (!Fields.absent(n)) {
            Fields.integralIn(n, "version", 1, 1, ErrorCode.UNSUPPORTED_VERSION);
        }
    }

    private String id(JsonNode n, String recordKey) throws InvalidRequestException {
        String id = Fields.absent(n) ? null : Fields.text(n, "id");
        if (id == null || id.isBlank()) {
            id = recordKey;
        }
        if (id == null || id.isBlank()) {
            throw Fields.fail(ErrorCode.MISSING_ID, "id is missing or empty and the record has no key");
        }
        checkId(id);
        return id;
    }

    /** Whether {@code id} could be a request's id: not blank, bounded, printable. */
    public boolean isAcceptableId(String id) {
        if (id == null || id.isBlank()) {
            return false;
        }
        try {
            checkId(id);
            return true;
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    /**
     * The id keys every answer and token record and sits in logs, maps and headers: bounded in
     * bytes, and printable (no control, format, separator or unpaired surrogate characters).
     */
    private void checkId(String id) throws InvalidRequestException {
        int bytes = 0;
        for (int i = 0; i < id.length(); ) {
            int cp = id.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw Fields.fail(ErrorCode.INVALID_ID, String.format(
                        "id holds a non-printable character U+%04X at index %d", cp, i));
            }
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes > limits.maxIdBytes()) {
                throw Fields.fail(ErrorCode.INVALID_ID, "id is longer than " + limits.maxIdBytes() + " UTF-8 bytes");
            }
            i += Character.charCount(cp);
        }
    }

    private String question(JsonNode n) throws InvalidRequestException {
        if (Fields.absent(n)) {
            throw Fields.fail(ErrorCode.MISSING_QUESTION, "question is missing");
        }
        String q = Fields.text(n, "question");
        if (q.isBlank()) {
            throw Fields.fail(ErrorCode.EMPTY_QUESTION, "question is empty");
        }
        int chars = q.codePointCount(0, q.length());
        if (chars > limits.maxQuestionChars()) {
            throw Fields.fail(ErrorCode.QUESTION_TOO_LONG, "question has " + chars
                    + " chars, at most " + limits.maxQuestionChars() + " allowed");
        }
        return q;
    }

    private static Instant deadline(JsonNode n) throws InvalidRequestException {
        if (Fields.absent(n)) {
            return null;
        }
        String text = Fields.text(n, "deadline");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw Fields.fail(ErrorCode.INVALID_DEADLINE, "deadline " + Fields.quote(text)
                    + " is not an ISO-8601 instant such as 2026-11-26T10:00:00Z");
        }
    }
}
