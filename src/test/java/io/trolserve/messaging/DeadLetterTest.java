package io.trolserve.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import io.trolserve.testkit.Trials;

/** A dead letter always fits the size it is fitted to, and keeps its reason whatever it had to cut. */
class DeadLetterTest {

    @Test
    void aLetterThatFitsIsSentAsIs() {
        DeadLetter letter = DeadLetter.of(record(10, 100, 100), "malformed-json", "bad");
        assertThat(letter.fittedTo(1 << 20)).isSameAs(letter);
    }

    @Test
    void theValueIsCutFirstAndMarkedWithItsLength() {
        DeadLetter fitted = DeadLetter.of(record(10, 100_000, 100), "record-too-large", "big").fittedTo(16 * 1024);
        assertThat(fitted.sizeBytes()).isLessThanOrEqualTo(16 * 1024);
        assertThat(header(fitted, RecordHeaders.TRUNCATED)).isEqualTo("100000");
        assertThat(fitted.originalHeaders()).hasSize(1);
        assertThat(fitted.value().length).isPositive();
    }

    @Test
    void headersTooBigAloneAreDroppedAndAHugeKeyIsCut() {
        DeadLetter fitted = DeadLetter.of(record(200_000, 10, 50_000), "x", "y").fittedTo(16 * 1024);
        assertThat(fitted.sizeBytes()).isLessThanOrEqualTo(16 * 1024);
        assertThat(fitted.originalHeaders()).isEmpty();
        assertThat(header(fitted, RecordHeaders.HEADERS_DROPPED)).isNotNull();
        assertThat(header(fitted, RecordHeaders.ERROR_CODE)).isEqualTo("x");
    }

    @Test
    void anyLetterFitsAnyReasonableLimit() {
        Trials.forAll(2000, r -> new int[] {r.nextInt(300_000), r.nextInt(300_000), r.nextInt(100_000),
                4096 + r.nextInt(1 << 20), r.nextInt(5000)}, c -> {
            DeadLetter letter = DeadLetter.of(record(c[0], c[1], c[2]), "code", "m".repeat(c[4]));
            DeadLetter fitted = letter.fittedTo(c[3]);
            assertThat(fitted.sizeBytes()).isLessThanOrEqualTo(c[3]);
            assertThat(header(fitted, RecordHeaders.ERROR_CODE)).isEqualTo("code");
            assertThat(header(fitted, RecordHeaders.ERROR_MESSAGE).length()).isLessThanOrEqualTo(
                    DeadLetter.MAX_MESSAGE_CHARS + 3);
        });
    }

    private static IncomingRecord record(int keyBytes, int valueBytes, int headerBytes) {
        return new IncomingRecord(Topics.REQUESTS, 1, 42, new byte[keyBytes], new byte[valueBytes],
                List.of(new RecordHeader("h", new byte[headerBytes])));
    }

    private static String header(DeadLetter letter, String key) {
        for (Header h : letter.headers()) {
            if (h.key().equals(key)) {
                return new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
