package io.trolserve.messaging.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Mutations;
import io.trolserve.testkit.Trials;

/**
 * Whatever the bytes, the parser gives a request or an {@link InvalidRequestException} with a code:
 * no other exception, and quickly. Inputs are random bytes, mutants of every valid example, and
 * valid records with hostile values spliced into each field.
 */
class RequestParserFuzzTest {

    private static final List<byte[]> VALID = RequestExamples.VALID.values().stream()
            .map(RequestExamples::utf8).toList();
    /** Values a hostile producer puts where a field's value goes. */
    private static final String[] HOSTILE = {"1e2147483648", "-1e-2147483648", "1e400", "-0", "5e-324",
            "9223372036854775808", "\"\\ud800\"", "\"\\u0000\"", "[]", "{}", "null", "true", "\"\"",
            "[" .repeat(300) + "]".repeat(300), "\"" + "x".repeat(70_000) + "\"", "0.1e-99999", "\"http://h:99999/\"",
            "\"file:///../../etc/passwd\"", "{\"url\": \"http://[::1]:0/\"}", "{\"data\": \"====\", \"mediaType\": \"image/png\"}"};

    private final RequestParser parser = new RequestParser(RequestLimits.DEFAULTS.withMaxInlineImageBytes(64 * 1024));

    @Test
    void randomBytes() {
        Trials.forAll(3000, random -> Mutations.randomBytes(random, 200), this::parsesOrRefusesWithACode);
    }

    @Test
    void mutantsOfValidRecords() {
        Trials.forAll(20_000, random -> Mutations.mutate(VALID.get(random.nextInt(VALID.size())), random, 6),
                this::parsesOrRefusesWithACode);
    }

    @Test
    void hostileValuesInEveryField() {
        Trials.forAll(3000, RequestParserFuzzTest::withHostileValue, this::parsesOrRefusesWithACode);
    }

    /** A valid example with one of its values (after some {@code ":"}) replaced by a hostile one. */
    private static byte[] withHostileValue(SplittableRandom random) {
        String valid = RequestExamples.VALID.values().stream().toList()
                .get(random.nextInt(RequestExamples.VALID.size()));
        List<Integer> colons = new ArrayList<>();
        for (int i = valid.indexOf(':'); i >= 0; i = valid.indexOf(':', i + 1)) {
            colons.add(i);
        }
        int at = colons.get(random.nextInt(colons.size())) + 1;
        int end = valueEnd(valid, at);
        String hostile = HOSTILE[random.nextInt(HOSTILE.length)];
        return (valid.substring(0, at) + " " + hostile + valid.substring(end)).getBytes(StandardCharsets.UTF_8);
    }

    /** Where the JSON value starting at {@code from} ends: its first top-level comma or closing bracket. */
    private static int valueEnd(String json, int from) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']' || c == ',') {
                if (depth == 0) {
                    return i;
                }
                if (c != ',') {
                    depth--;
                }
            }
        }
        return json.length();
    }

    private void parsesOrRefusesWithACode(byte[] value) {
        long started = System.nanoTime();
        try {
            TrolRequest r = parser.parse(value, "key-7");
            assertThat(r.id()).isNotBlank();
        } catch (InvalidRequestException e) {
            assertThat(e.code()).isNotNull();
            assertThat(e.code()).as("%s", e).isNotEqualTo(ErrorCode.UNREADABLE_REQUEST);
            assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
        }
        assertThat((System.nanoTime() - started) / 1e6).as("milliseconds to parse").isLessThan(500);
    }
}
