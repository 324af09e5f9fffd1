package io.trolserve.messaging.contract;

import static io.trolserve.messaging.contract.RequestExamples.REJECTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trolserve.messaging.contract.RequestExamples.Reject;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal: the right code, and a message that names the offending field. */
class RequestParserRejectsTest {

    private final RequestParser parser = new RequestParser(RequestLimits.DEFAULTS);

    static List<Reject> rejects() {
        return REJECTS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejects")
    void refused(Reject reject) {
        // a key is given except where the missing id is the point
        String key = reject.code() == ErrorCode.MISSING_ID ? null : "key-7";
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> parser.parse(reject.value().get(), key));
        assertThat(e).as("%s is refused", reject.name()).isNotNull();
        assertThat(e.code()).as(e.getMessage()).isEqualTo(reject.code());
        assertThat(e.getMessage()).contains(reject.mentions());
    }

    @Test
    void everyErrorCodeHasACase() {
        Set<ErrorCode> covered = REJECTS.stream().map(Reject::code).collect(Collectors.toSet());
        // UNREADABLE_REQUEST is the parser's net for its own bugs: no input is known to reach it
        // (RequestParserFuzzTest tries hard to find one)
        covered.add(ErrorCode.UNREADABLE_REQUEST);
        assertThat(EnumSet.complementOf(EnumSet.copyOf(covered))).isEmpty();
    }

    @Test
    void blankKeyIsNoId() {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> parser.parse(RequestExamples.utf8("{\"question\": \"q\"}"), "  "));
        assertThat(e.code()).isEqualTo(ErrorCode.MISSING_ID);
    }

    @Test
    void messagesStayShortForHeaders() {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> parser.parse(RequestExamples.utf8("{\"question\": \"q\", \"deadline\": \"" + "d".repeat(10_000)
                        + "\"}"), "k"));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DEADLINE);
        assertThat(e.getMessage()).hasSizeLessThan(300);
    }

    @Test
    void aRefusalAfterTheIdCarriesIt() {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> parser.parse(RequestExamples.utf8("{\"id\": \"req-1\", \"question\": 5}"), "k"));
        assertThat(e.requestId()).isEqualTo("req-1");
        InvalidRequestException early = catchThrowableOfType(InvalidRequestException.class,
                () -> parser.parse(RequestExamples.utf8("{\"id\": \"req-1\", \"question\": "), "k"));
        assertThat(early.requestId()).isNull();
    }

    @Test
    void theKeyAsIdFollowsTheIdRules() {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> parser.parse(RequestExamples.utf8("{\"question\": \"q\"}"), "k".repeat(257)));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ID);
    }

    @Test
    void unknownFieldsAreIgnoredAndReportedByPath() throws Exception {
        List<String> seen = new java.util.ArrayList<>();
        RequestParser noting = new RequestParser(RequestLimits.DEFAULTS, seen::add);
        TrolRequest r = noting.parse(RequestExamples.utf8(RequestExamples.VALID.get("unknown fields, ignored")), "k");
        assertThat(r.params().topK()).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrder("prompt", "trace", "params.max_new_tokens", "image.w");
        seen.clear();
        noting.parse(RequestExamples.utf8("{\"question\": \"q\", \"" + "f\\u0000".repeat(5000) + "\": 1}"), "k");
        assertThat(seen).singleElement().satisfies(path -> {
            assertThat(path).hasSizeLessThan(80);
            assertThat(path).doesNotContain("\u0000");
        });
    }

    @Test
    void questionAtTheLimitPassesAndBeyondJacksonsStringLimitIsTooLong() throws Exception {
        assertThat(parser.parse(RequestExamples.utf8("{\"question\": \"" + "x".repeat(4000) + "\"}"), "k")
                .question()).hasSize(4000);
        // with a 1 KiB image limit Jackson's own string limit is 1 MiB: the parser still names the field
        RequestParser small = new RequestParser(RequestLimits.DEFAULTS.withMaxInlineImageBytes(1024));
        byte[] value = RequestExamples.utf8("{\"question\": \"" + "x".repeat(2 << 20) + "\"}");
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> small.parse(value, "k"));
        assertThat(e.code()).isEqualTo(ErrorCode.QUESTION_TOO_LONG);
    }

    @Test
    void wireNamesAreKebabCaseAndRoundTrip() {
        assertThat(ErrorCode.NOT_UTF8.wireName()).isEqualTo("not-utf8");
        assertThat(ErrorCode.INVALID_BASE64.wireName()).isEqualTo("invalid-base64");
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(code.wireName()).matches("[a-z0-9]+(-[a-z0-9]+)*");
            assertThat(ErrorCode.fromWireName(code.wireName())).isEqualTo(code);
            assertThat(ErrorCode.fromWireName(code.name())).isEqualTo(code);
        }
    }
}
