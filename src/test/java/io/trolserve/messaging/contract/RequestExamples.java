package io.trolserve.messaging.contract;

import static io.trolserve.messaging.contract.ErrorCode.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Request values shared by the parser tests and the schema tests, so that the schema is checked
 * against exactly the inputs the parser accepts and refuses.
 */
final class RequestExamples {

    private RequestExamples() {}

    /** Bytes of a tiny "image": the parser does not look inside, the vision side does. */
    static final byte[] PIXELS = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, -1, -2};
    static final String PIXELS_B64 = Base64.getEncoder().encodeToString(PIXELS);

    /** Valid values, by name; each comes with the record key "key-7". */
    static final Map<String, String> VALID = examples(
            "inline image", """
                    {"id": "req-42", "question": "What is the troll doing?",
                     "image": {"data": "%s", "mediaType": "image/png"},
                     "params": {"maxNewTokens": 256, "temperature": 0.0, "topP": 1.0, "topK": 0,
                                "seed": 7, "stop": ["\\n\\n"]},
                     "deadline": "2026-11-26T10:00:00Z"}""".formatted(PIXELS_B64),
            "url image", """
                    {"id": "req-43", "question": "Which troll?", "image": {"url": "https://img.example.org/troll.png?x=1"}}""",
            "file url image", """
                    {"id": "req-44", "question": "Which troll?", "image": {"url": "file:///data/images/troll.png"}}""",
            "text only", """
                    {"id": "req-45", "question": "What is a troll?"}""",
            "id from key", """
                    {"question": "What is a troll?"}""",
            "all params", """
                    {"version": 1, "id": "req-46", "question": "Describe it.",
                     "params": {"maxNewTokens": 1024, "temperature": 0.7, "topP": 0.9, "topK": 40,
                                "seed": -9223372036854775808, "stop": ["END", "\\n\\n", "Q:", "ø"]},
                     "deadline": "2026-11-26T11:00:00.250+01:00"}""",
            "nulls for optional fields", """
                    {"version": null, "id": null, "question": "Why?", "image": null,
                     "params": {"maxNewTokens": null, "seed": null, "stop": null}, "deadline": null}""",
            "url-safe unpadded wrapped base64", """
                    {"id": "req-47", "question": "Why?",
                     "image": {"data": "%s", "mediaType": "IMAGE/PNG"}}""".formatted(wrappedUrlSafe()),
            "integral floats", """
                    {"version": 1.0, "id": "req-48", "question": "Why?", "params": {"maxNewTokens": 12.0, "topK": 4e1}}""",
            "unknown fields, ignored", """
                    {"id": "req-49", "question": "Why?", "prompt": "p", "trace": {"a": [1, 2]},
                     "params": {"max_new_tokens": 5, "topK": 3}, "image": {"url": "https://h/x.png", "w": 1}}""",
            "id at the byte limit, non-ASCII", """
                    {"id": "%s", "question": "Why?"}""".formatted("é".repeat(128)));

    /** Name, value, name, value, ...: in order, so that failures name the same example each run. */
    private static Map<String, String> examples(String... nameThenValue) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameThenValue.length; i += 2) {
            m.put(nameThenValue[i], nameThenValue[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String wrappedUrlSafe() {
        String s = Base64.getUrlEncoder().withoutPadding().encodeToString(PIXELS);
        return s.substring(0, 8) + "\\r\\n" + s.substring(8, 12) + "\\n " + s.substring(12);
    }

    /**
     * One refused input.
     *
     * @param value built on demand: one case is 28 MB
     * @param mentions a fragment the message must contain (the offending field)
     * @param schemaRejects whether the JSON Schema can see the problem too
     */
    record Reject(String name, Supplier<byte[]> value, ErrorCode code, String mentions, boolean schemaRejects) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Reject> REJECTS = rejects();

    private static List<Reject> rejects() {
        List<Reject> r = new ArrayList<>();
        r.add(new Reject("null record value", () -> null, NULL_VALUE, "null", false));
        r.add(new Reject("bytes not UTF-8 (C3 28)",
                () -> concat("{\"id\":\"a\",\"question\":\"", new byte[] {(byte) 0xC3, 0x28}, "\"}"),
                NOT_UTF8, "UTF-8", false));
        r.add(new Reject("UTF-16 encoded", () -> "{\"question\":\"q\"}".getBytes(StandardCharsets.UTF_16LE),
                NOT_UTF8, "UTF-16", false));
        r.add(new Reject("UTF-8 encoded surrogate",
                () -> concat("{\"question\":\"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}"),
                NOT_UTF8, "UTF-8", false));
        r.add(json("malformed JSON", "{\"id\": \"a\", \"question\": ", MALFORMED_JSON, "JSON", false));
        r.add(json("trailing content", "{\"question\": \"q\"} {}", MALFORMED_JSON, "trailing", false));
        r.add(json("duplicate field", "{\"question\": \"q\", \"question\": \"r\"}", MALFORMED_JSON, "question", false));
        r.add(json("empty value", "", MALFORMED_JSON, "empty", false));
        r.add(json("array, not object", "[{\"question\": \"q\"}]", NOT_AN_OBJECT, "object", true));
        r.add(json("JSON null", "null", NOT_AN_OBJECT, "object", true));
        r.add(json("version 2", "{\"version\": 2, \"question\": \"q\"}", UNSUPPORTED_VERSION, "version", true));
        r.add(json("version as string", "{\"version\": \"1\", \"question\": \"q\"}", WRONG_TYPE, "version", true));
        r.add(json("question as number", "{\"id\": \"a\", \"question\": 5}", WRONG_TYPE, "question", true));
        r.add(json("maxNewTokens as string", "{\"question\": \"q\", \"params\": {\"maxNewTokens\": \"12\"}}",
                WRONG_TYPE, "params.maxNewTokens", true));
        r.add(json("maxNewTokens fractional", "{\"question\": \"q\", \"params\": {\"maxNewTokens\": 12.5}}",
                WRONG_TYPE, "params.maxNewTokens", true));
        r.add(json("temperature as string", "{\"question\": \"q\", \"params\": {\"temperature\": \"0.7\"}}",
                WRONG_TYPE, "params.temperature", true));
        r.add(json("params as array", "{\"question\": \"q\", \"params\": [1]}", WRONG_TYPE, "params", true));
        r.add(json("id as number", "{\"id\": 42, \"question\": \"q\"}", WRONG_TYPE, "id", true));
        r.add(json("stop as string", "{\"question\": \"q\", \"params\": {\"stop\": \"END\"}}",
                WRONG_TYPE, "params.stop", true));
        r.add(json("stop element number", "{\"question\": \"q\", \"params\": {\"stop\": [\"a\", 1]}}",
                WRONG_TYPE, "params.stop[1]", true));
        r.add(json("deadline as number", "{\"question\": \"q\", \"deadline\": 1764151200}", WRONG_TYPE, "deadline", true));
        r.add(json("image.data as number", "{\"question\": \"q\", \"image\": {\"data\": 5, \"mediaType\": \"image/png\"}}",
                WRONG_TYPE, "image.data", true));
        r.add(json("id with a control character", "{\"id\": \"a\\u0007b\", \"question\": \"q\"}", INVALID_ID, "U+0007",
                false));
        r.add(json("id with a line break", "{\"id\": \"a\\nb\", \"question\": \"q\"}", INVALID_ID, "id", false));
        r.add(json("id with a bidi override", "{\"id\": \"a\\u202eb\", \"question\": \"q\"}", INVALID_ID, "U+202E",
                false));
        r.add(json("id with a lone surrogate", "{\"id\": \"a\\ud800\", \"question\": \"q\"}", INVALID_ID, "U+D800",
                false));
        r.add(json("id of 100,000 chars", "{\"id\": \"" + "i".repeat(100_000) + "\", \"question\": \"q\"}", INVALID_ID,
                "256", true));
        r.add(json("id of 257 UTF-8 bytes", "{\"id\": \"" + "\u00e9".repeat(128) + "x\", \"question\": \"q\"}", INVALID_ID,
                "256", false));
        r.add(json("number with a 2^31 exponent", params("\"maxNewTokens\": 1e2147483648"), MALFORMED_JSON, "out of range",
                false));
        r.add(json("number with a -2^31 exponent", params("\"temperature\": 1e-2147483648"), MALFORMED_JSON, "out of range",
                false));
        r.add(json("nesting 2000 deep", "{\"question\": \"q\", \"x\": " + "[".repeat(2000) + "]".repeat(2000) + "}",
                MALFORMED_JSON, "limit", false));
        r.add(json("URL port above 65535", url("http://example.org:99999/x.png"), INVALID_URL, "65535", false));
        r.add(json("temperature 5e-324", params("\"temperature\": 5e-324, \"topK\": 5"), INVALID_PARAMS,
                "params.temperature", true));
        r.add(json("temperature 1000", params("\"temperature\": 1000"), INVALID_PARAMS, "params.temperature", true));
        r.add(new Reject("no id, no key", () -> utf8("{\"question\": \"q\"}"), MISSING_ID, "id", false));
        r.add(new Reject("blank id, no key", () -> utf8("{\"id\": \" \", \"question\": \"q\"}"), MISSING_ID, "id", false));
        r.add(json("missing question", "{\"id\": \"a\"}", MISSING_QUESTION, "question", true));
        r.add(json("null question", "{\"id\": \"a\", \"question\": null}", MISSING_QUESTION, "question", true));
        r.add(json("empty question", "{\"id\": \"a\", \"question\": \"\"}", EMPTY_QUESTION, "question", true));
        r.add(json("blank question", "{\"id\": \"a\", \"question\": \" \\n\\t \"}", EMPTY_QUESTION, "question", true));
        r.add(json("over-long question", "{\"id\": \"a\", \"question\": \"" + "x".repeat(4001) + "\"}",
                QUESTION_TOO_LONG, "question", true));
        r.add(json("image both data and url", "{\"question\": \"q\", \"image\": {\"data\": \"" + PIXELS_B64
                + "\", \"mediaType\": \"image/png\", \"url\": \"https://h/x.png\"}}", INVALID_IMAGE, "both", true));
        r.add(json("image neither", "{\"question\": \"q\", \"image\": {}}", INVALID_IMAGE, "neither", true));
        r.add(json("image not an object", "{\"question\": \"q\", \"image\": \"https://h/x.png\"}", INVALID_IMAGE, "image", true));
        r.add(json("data without mediaType", "{\"question\": \"q\", \"image\": {\"data\": \"" + PIXELS_B64 + "\"}}",
                INVALID_IMAGE, "image.mediaType", true));
        r.add(json("url with mediaType", "{\"question\": \"q\", \"image\": {\"url\": \"https://h/x.png\", \"mediaType\": \"image/png\"}}",
                INVALID_IMAGE, "image.mediaType", true));
        r.add(json("empty data", "{\"question\": \"q\", \"image\": {\"data\": \"\", \"mediaType\": \"image/png\"}}",
                INVALID_IMAGE, "image.data", false));
        r.add(json("invalid base64 character", inline("iVBO*w0KGgo=", "image/png"), INVALID_BASE64, "image.data", true));
        r.add(json("base64 data after padding", inline("iVBO=w0KGgo", "image/png"), INVALID_BASE64, "image.data", true));
        r.add(json("base64 dangling symbol", inline("iVBORw0KG", "image/png"), INVALID_BASE64, "image.data", false));
        r.add(json("base64 wrong padding", inline("iVBORw0KGg=", "image/png"), INVALID_BASE64, "image.data", false));
        r.add(new Reject("inline image 1 byte over 20 MiB",
                () -> utf8(inline(Base64.getEncoder().encodeToString(new byte[20 * 1024 * 1024 + 1]), "image/png")),
                IMAGE_TOO_LARGE, "image.data", false));
        r.add(json("unsupported media type", inline(PIXELS_B64, "image/webp"), UNSUPPORTED_MEDIA_TYPE, "image/webp", false));
        r.add(json("media type not a type", inline(PIXELS_B64, "png"), UNSUPPORTED_MEDIA_TYPE, "png", true));
        r.add(json("ftp URL", url("ftp://files.example.org/troll.png"), UNSUPPORTED_URL_SCHEME, "ftp", true));
        r.add(json("jar URL", url("jar:file:/opt/app.jar!/troll.png"), UNSUPPORTED_URL_SCHEME, "jar", true));
        r.add(json("data URL", url("data:image/png;base64," + PIXELS_B64), UNSUPPORTED_URL_SCHEME, "data", true));
        r.add(json("file URL with ..", url("file:///data/images/../../etc/passwd"), INVALID_URL, "..", false));
        r.add(json("file URL with encoded ..", url("file:///data/images/%2e%2e/secret.png"), INVALID_URL, "..", false));
        r.add(json("relative URL", url("images/troll.png"), INVALID_URL, "image.url", true));
        r.add(json("URL syntax", url("https://exa mple.org/x.png"), INVALID_URL, "image.url", false));
        r.add(json("http URL without host", url("http:///x.png"), INVALID_URL, "host", false));
        r.add(json("http URL with user info", url("https://user:pw@example.org/x.png"), INVALID_URL, "user", false));
        r.add(json("file URL naming a host", url("file://fileserver/share/x.png"), INVALID_URL, "host", false));
        r.add(json("maxNewTokens 0", params("\"maxNewTokens\": 0"), INVALID_PARAMS, "params.maxNewTokens", true));
        r.add(json("maxNewTokens above limit", params("\"maxNewTokens\": 1025"), INVALID_PARAMS, "params.maxNewTokens", true));
        r.add(json("maxNewTokens beyond long", params("\"maxNewTokens\": 1e30"), INVALID_PARAMS, "params.maxNewTokens", true));
        r.add(json("negative temperature", params("\"temperature\": -0.1"), INVALID_PARAMS, "params.temperature", true));
        r.add(json("infinite temperature", params("\"temperature\": 1e400"), INVALID_PARAMS, "params.temperature", false));
        r.add(json("topP 0", params("\"topP\": 0"), INVALID_PARAMS, "params.topP", true));
        r.add(json("topP above 1", params("\"topP\": 1.5"), INVALID_PARAMS, "params.topP", true));
        r.add(json("negative topK", params("\"topK\": -1"), INVALID_PARAMS, "params.topK", true));
        r.add(json("seed beyond long", params("\"seed\": 9223372036854775808"), INVALID_PARAMS, "params.seed", true));
        r.add(json("five stop strings", params("\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]"), INVALID_PARAMS, "params.stop", true));
        r.add(json("empty stop string", params("\"stop\": [\"\"]"), INVALID_PARAMS, "params.stop[0]", true));
        r.add(json("long stop string", params("\"stop\": [\"" + "s".repeat(65) + "\"]"), INVALID_PARAMS, "params.stop[0]", true));
        r.add(json("deadline not ISO", "{\"question\": \"q\", \"deadline\": \"tomorrow at noon\"}", INVALID_DEADLINE, "deadline", true));
        r.add(json("deadline without offset", "{\"question\": \"q\", \"deadline\": \"2026-11-26T10:00:00\"}", INVALID_DEADLINE, "deadline", true));
        return List.copyOf(r);
    }

    private static Reject json(String name, String json, ErrorCode code, String mentions, boolean schema) {
        return new Reject(name, () -> utf8(json), code, mentions, schema);
    }

    static String inline(String data, String mediaType) {
        return "{\"question\": \"q\", \"image\": {\"data\": \"" + data + "\", \"mediaType\": \"" + mediaType + "\"}}";
    }

    private static String url(String url) {
        return "{\"question\": \"q\", \"image\": {\"url\": \"" + url + "\"}}";
    }

    private static String params(String fields) {
        return "{\"question\": \"q\", \"params\": {" + fields + "}}";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] h = utf8(head);
        byte[] t = utf8(tail);
        byte[] out = new byte[h.length + middle.length + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(middle, 0, out, h.length, middle.length);
        System.arraycopy(t, 0, out, h.length + middle.length, t.length);
        return out;
    }
}
