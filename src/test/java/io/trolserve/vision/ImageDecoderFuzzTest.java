package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.trolserve.testkit.Mutations;
import io.trolserve.testkit.Trials;

/**
 * Hostile input: the PIL fixtures of each format (baseline, progressive, CMYK, RLE, interlaced,
 * palettes, ...) mutated as a fuzzer mutates them, and random bytes behind each magic number.
 * Every input is decoded or refused with an {@link ImageDecodeException} carrying a code, never
 * anything else, and each within a time bound. Half the inputs are decoded at their own size,
 * half resized to a model input, so both row sinks see the mutants.
 */
class ImageDecoderFuzzTest {

    /** Mutants may claim any size up to this and be decoded at it. */
    private static final long MAX_PIXELS = 1 << 20;
    private static final Duration DECODE_TIME = Duration.ofSeconds(1);
    /** Per input: the decode deadline plus slack for a loaded machine; most take well under 1 ms. */
    private static final long BOUND_NANOS = Duration.ofSeconds(3).toNanos();
    private static final DecodeLimits LIMITS =
            new DecodeLimits(MAX_PIXELS, DECODE_TIME, new DecodeBudget(MAX_PIXELS));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"png", "jpg", "gif", "bmp"})
    void mutantsOfValidImagesDecodeOrAreRefusedWithACode(String extension) {
        List<byte[]> valid = PilFixture.all().stream().filter(f -> f.file().endsWith("." + extension))
                .map(PilFixture::encoded).toList();
        assertThat(valid).isNotEmpty();

        Trials.forAll(3000, random -> Mutations.mutate(valid.get(random.nextInt(valid.size())), random, 6),
                ImageDecoderFuzzTest::decodeOrRefuse);
        assertThat(LIMITS.budget().available()).isEqualTo(MAX_PIXELS);
    }

    @Test
    void randomBytesBehindEachMagicNumberAreRefusedWithACode() {
        byte[][] magics = {{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
            "GIF89a".getBytes(), "BM".getBytes(), {}};
        Trials.forAll(2000, random -> TestImages.concat(magics[random.nextInt(magics.length)],
                Mutations.randomBytes(random, 200)), ImageDecoderFuzzTest::decodeOrRefuse);
    }

    private static void decodeOrRefuse(byte[] input) {
        long started = System.nanoTime();
        try {
            DecodedImage image = input.length % 2 == 0 ? ImageDecoder.decode(input, LIMITS, 14)
                    : ImageDecoder.decode(input, MAX_PIXELS);
            assertThat(image.rgb()).hasSize(3 * image.width() * image.height());
        } catch (ImageDecodeException refused) {
            assertThat(refused.code()).isNotNull();
        }
        assertThat(System.nanoTime() - started).as("nanoseconds to decode or refuse").isLessThan(BOUND_NANOS);
    }

    /** The trials are worth something: many mutants still decode, and refusals are of several kinds. */
    @Test
    void mutantsReachPastTheHeader() {
        List<byte[]> valid = PilFixture.all().stream().map(PilFixture::encoded).toList();
        SplittableRandom random = new SplittableRandom(3);
        int decoded = 0;
        java.util.Set<ImageDecodeException.Code> codes = java.util.EnumSet.noneOf(ImageDecodeException.Code.class);
        for (int i = 0; i < 500; i++) {
            byte[] input = Mutations.mutate(valid.get(random.nextInt(valid.size())), random, 2);
            try {
                ImageDecoder.decode(input, LIMITS, 14);
                decoded++;
            } catch (ImageDecodeException e) {
                codes.add(e.code());
            }
        }
        assertThat(decoded).isGreaterThan(100);
        assertThat(codes).contains(ImageDecodeException.Code.CORRUPT_IMAGE, ImageDecodeException.Code.UNSUPPORTED_FORMAT);
    }
}
