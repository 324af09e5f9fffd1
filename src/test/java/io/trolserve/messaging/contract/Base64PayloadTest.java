package io.trolserve.messaging.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The inline-image base64 reader against the JDK's codec, and its size check's cost. */
class Base64PayloadTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void decodesLikeTheJdkInEveryVariant() throws Exception {
        Random random = new Random(42);
        for (int n = 0; n < 200; n++) {
            byte[] bytes = new byte[n];
            random.nextBytes(bytes);
            for (String text : new String[] {
                    Base64.getEncoder().encodeToString(bytes),
                    Base64.getEncoder().withoutPadding().encodeToString(bytes),
                    Base64.getUrlEncoder().encodeToString(bytes),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
                    Base64.getMimeEncoder().encodeToString(bytes),
                    Base64.getMimeEncoder(8, "\n  \t".getBytes()).encodeToString(bytes)}) {
                int length = Base64Payload.decodedLength(text, 1000, "image.data");
                assertThat(length).as(text).isEqualTo(n);
                assertThat(Base64Payload.decode(text, length)).as(text).isEqualTo(bytes);
            }
        }
    }

    @Test
    void exactlyAtTheLimitPassesOneMoreByteFails() throws Exception {
        String atLimit = Base64.getEncoder().encodeToString(new byte[1000]);
        assertThat(Base64Payload.decodedLength(atLimit, 1000, "image.data")).isEqualTo(1000);
        String over = Base64.getEncoder().withoutPadding().encodeToString(new byte[1001]);
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> Base64Payload.decodedLength(over, 1000, "image.data"));
        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
    }

    /**
     * A gigantic "string" that exists only as a length: refusing it must neither decode nor scan
     * it, which shows the size is judged from the encoded length before any decoding.
     */
    @Test
    void hugeEncodedLengthIsRefusedWithoutDecodingOrAllocating() {
        CharSequence oneGiB = new Repeated('A', 1 << 30);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> Base64Payload.decodedLength(oneGiB, 20 * MIB, "image.data"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
        assertThat(millis).isLessThan(2_000);
        assertThat(allocated).as("bytes allocated").isLessThan(64 * 1024);
    }

    /** Through the parser: a 40 MB record with default limits is refused by size, quickly. */
    @Test
    void hugeInlineImageIsRefusedBySizeThroughTheParser() {
        RequestParser parser = new RequestParser(RequestLimits.DEFAULTS);
        String head = "{\"question\": \"q\", \"image\": {\"mediaType\": \"image/png\", \"data\": \"";
        for (int chars : new int[] {30_000_000, 60_000_000}) { // within, then beyond Jackson's string limit
            byte[] value = new byte[head.length() + chars + 3];
            System.arraycopy(RequestExamples.utf8(head), 0, value, 0, head.length());
            java.util.Arrays.fill(value, head.length(), head.length() + chars, (byte) 'A');
            System.arraycopy(RequestExamples.utf8("\"}}"), 0, value, head.length() + chars, 3);
            long start = System.nanoTime();
            InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                    () -> parser.parse(value, "k"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.code()).as(chars + " chars").isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
            assertThat(e.getMessage()).contains("image.data");
            assertThat(millis).as(chars + " chars, ms").isLessThan(10_000);
        }
    }

    @Test
    void smallLimitRefusesBeforeLookingAtTheRest() {
        // the invalid character sits past the limit: size is decided first, from the length
        String text = "A".repeat(2000) + "*";
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
                () -> Base64Payload.decodedLength(text, 1000, "image.data"));
        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_TOO_LARGE);
    }

    /** A CharSequence of one repeated char that stores nothing. */
    private record Repeated(char c, int length) implements CharSequence {
        @Override
        public char charAt(int index) {
            return c;
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Repeated(c, end - start);
        }

        @Override
        public String toString() {
            throw new UnsupportedOperationException("would materialise " + length + " chars");
        }
    }
}
