package io.trolserve.messaging.contract;

import static io.trolserve.messaging.contract.RequestExamples.VALID;
import static io.trolserve.messaging.contract.RequestExamples.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Requests the parser accepts, one of each shape, and what it makes of them. */
class RequestParserTest {

    private final RequestParser parser = new RequestParser(RequestLimits.DEFAULTS);

    private TrolRequest parse(String name) throws InvalidRequestException {
        return parser.parse(utf8(VALID.get(name)), "key-7");
    }

    @Test
    void inlineImage() throws Exception {
        TrolRequest r = parse("inline image");
        assertThat(r.id()).isEqualTo("req-42");
        assertThat(r.question()).isEqualTo("What is the troll doing?");
        assertThat(r.image()).isEqualTo(new InlineImage(RequestExamples.PIXELS, "image/png"));
        assertThat(r.params()).isEqualTo(new RequestParams(256, 0.0, 1.0, 0, 7L, List.of("\n\n")));
        assertThat(r.deadline()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
    }

    @Test
    void urlImages() throws Exception {
        assertThat(parse("url image").image())
                .isEqualTo(new UrlImage(URI.create("https://img.example.org/troll.png?x=1")));
        assertThat(parse("file url image").image())
                .isEqualTo(new UrlImage(URI.create("file:///data/images/troll.png")));
    }

    @Test
    void textOnlyGetsDefaults() throws Exception {
        TrolRequest r = parse("text only");
        assertThat(r.image()).isNull();
        assertThat(r.deadline()).isNull();
        assertThat(r.params()).isEqualTo(RequestParams.DEFAULTS);
        assertThat(r.params()).isEqualTo(new RequestParams(256, 0, 1, 0, null, List.of()));
    }

    @Test
    void idFallsBackToRecordKey() throws Exception {
        assertThat(parse("id from key").id()).isEqualTo("key-7");
        assertThat(parse("nulls for optional fields").id()).isEqualTo("key-7");
        // an id in the value wins over the key
        assertThat(parse("text only").id()).isEqualTo("req-45");
    }

    @Test
    void allParams() throws Exception {
        TrolRequest r = parse("all params");
        assertThat(r.params()).isEqualTo(new RequestParams(
                1024, 0.7, 0.9, 40, Long.MIN_VALUE, List.of("END", "\n\n", "Q:", "ø")));
        assertThat(r.deadline()).isEqualTo(Instant.parse("2026-11-26T10:00:00.250Z"));
    }

    @Test
    void nullMeansAbsent() throws Exception {
        TrolRequest r = parse("nulls for optional fields");
        assertThat(r.image()).isNull();
        assertThat(r.deadline()).isNull();
        assertThat(r.params()).isEqualTo(RequestParams.DEFAULTS);
    }

    @Test
    void urlSafeUnpaddedWrappedBase64AndMediaTypeCase() throws Exception {
        assertThat(parse("url-safe unpadded wrapped base64").image())
                .isEqualTo(new InlineImage(RequestExamples.PIXELS, "image/png"));
    }

    @Test
    void integralFloatsAreIntegers() throws Exception {
        TrolRequest r = parse("integral floats");
        assertThat(r.params().maxNewTokens()).isEqualTo(12);
        assertThat(r.params().topK()).isEqualTo(40);
    }

    @Test
    void everyValidExampleParses() throws Exception {
        for (String name : VALID.keySet()) {
            assertThat(parse(name)).as(name).isNotNull();
        }
    }

    @Test
    void defaultMaxNewTokensIsCappedByALowerLimit() throws Exception {
        RequestParser low = new RequestParser(RequestLimits.DEFAULTS.withMaxNewTokensLimit(64));
        assertThat(low.parse(utf8("{\"question\": \"q\"}"), "k").params().maxNewTokens()).isEqualTo(64);
    }

    @Test
    void configuredMediaTypesAndQuestionLimit() throws Exception {
        RequestParser webp = new RequestParser(new RequestLimits(10, 1024, 1024, Set.of("Image/WebP")));
        TrolRequest r = webp.parse(utf8(RequestExamples.inline(RequestExamples.PIXELS_B64, "image/webp")), "k");
        assertThat(((InlineImage) r.image()).mediaType()).isEqualTo("image/webp");
        // code points, not UTF-16 units: ten emoji are ten characters
        assertThat(webp.parse(utf8("{\"question\": \"" + "😀".repeat(10) + "\"}"), "k").question())
                .hasSize(20);
    }

    @Test
    void utf8ByteOrderMarkIsTolerated() throws Exception {
        byte[] json = utf8("\uFEFF{\"question\": \"q\"}");
        assertThat(parser.parse(json, "k").question()).isEqualTo("q");
    }

    @Test
    void writtenRequestsParseBackEqual() throws Exception {
        for (String name : VALID.keySet()) {
            TrolRequest r = parse(name);
            assertThat(parser.parse(ContractJson.write(r), null)).as(name).isEqualTo(r);
        }
    }
}
