package io.trolserve.vision;

import static io.trolserve.vision.TestImages.concat;
import static io.trolserve.vision.TestImages.encode;
import static io.trolserve.vision.TestImages.noise;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trolserve.vision.ImageDecodeException.Code;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** Bad input: every refusal is an {@link ImageDecodeException} with the right code, and cheap. */
class ImageDecoderRejectsTest {

    private static final long LIMIT = 1 << 20;

    @Test
    void emptyInput() {
        assertThat(codeOf(new byte[0])).isEqualTo(Code.EMPTY_IMAGE);
        assertThat(codeOf(null)).isEqualTo(Code.EMPTY_IMAGE);
    }

    @Test
    void randomBytesAreAnUnsupportedFormat() {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        noise[0] = 0x42; // not the first byte of any magic we accept

        assertThat(codeOf(noise)).isEqualTo(Code.UNSUPPORTED_FORMAT);
    }

    @Test
    void webpIsNamedInTheRefusal() {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII);

        ImageDecodeException e = refusal(webp);
        assertThat(e.code()).isEqualTo(Code.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("WebP");
    }

    @Test
    void pngHeaderClaimingTenGigapixelsIsRefusedBeforeAnyAllocation() {
        byte[] bomb = concat(TestImages.pngHeader(100_000, 100_000, 8, 2),
                TestImages.chunk("IDAT", deflate(new byte[1024])), TestImages.chunk("IEND", new byte[0]));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        refusal(bomb); // warm up class loading, so that only the refusal itself is measured
        long before = threads.getCurrentThreadAllocatedBytes();

        ImageDecodeException e = refusal(bomb);

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e.code()).isEqualTo(Code.TOO_MANY_PIXELS);
        assertThat(e.getMessage()).contains("100000x100000");
        assertThat(allocated).as("bytes allocated while refusing").isLessThan(64 * 1024);
    }

    @Test
    void otherFormatsAreCheckedFromTheirHeadersToo() {
        byte[] gif = encode(noise(8, 8, BufferedImage.TYPE_BYTE_INDEXED, 1), "gif");
        gif[6] = gif[7] = gif[8] = gif[9] = (byte) 0xFF; // logical screen 65535x65535
        byte[] bmp = encode(noise(8, 8, BufferedImage.TYPE_3BYTE_BGR, 2), "bmp");
        bmp[20] = bmp[24] = 0x7F; // width and height 2^30 + 8
        byte[] jpeg = encode(noise(8, 8, BufferedImage.TYPE_3BYTE_BGR, 3), "jpeg");
        int sof = TestImages.indexOf(jpeg, 2, 0xFF, 0xC0);
        Arrays.fill(jpeg, sof + 5, sof + 9, (byte) 0xFF); // 65535x65535

        for (byte[] bomb : new byte[][] {gif, bmp, jpeg}) {
            assertThat(codeOf(bomb)).isEqualTo(Code.TOO_MANY_PIXELS);
        }
        assertThat(catchThrowableOfType(() -> ImageDecoder.decode(encode(noise(10, 10, BufferedImage.TYPE_BYTE_GRAY, 4), "png"), 99),
                ImageDecodeException.class).code()).isEqualTo(Code.TOO_MANY_PIXELS);
    }

    /**
     * A side over 65535 is refused even within the pixel limit: ImageIO keeps whole rows beside the
     * raster, and a 64-megapixel image one pixel high would need three times its budget.
     */
    @Test
    void sideLongerThan65535IsRefusedWithinThePixelLimit() {
        byte[] wide = concat(TestImages.pngHeader(65536, 2, 8, 2), TestImages.chunk("IDAT", deflate(new byte[64])));
        byte[] tall = concat(TestImages.pngHeader(2, 65536, 8, 2), TestImages.chunk("IDAT", deflate(new byte[64])));

        for (byte[] png : new byte[][] {wide, tall}) {
            ImageDecodeException e = refusal(png);
            assertThat(e.code()).isEqualTo(Code.TOO_MANY_PIXELS);
            assertThat(e.getMessage()).contains("longer than 65535");
        }
    }

    /**
     * Every cut inside the compressed pixels is refused. Once they are all present, the zlib
     * Adler-32, the IDAT CRC and IEND are not needed — by PIL either (Pillow 9.4 accepts exactly the
     * same cuts of this file), so the file decodes.
     */
    @Test
    void truncatedPngIsCorruptWhereverThePixelsAreCut() {
        byte[] png = encode(noise(20, 12, BufferedImage.TYPE_3BYTE_BGR, 5), "png");
        int idat = TestImages.indexOf(png, 8, 'I', 'D', 'A', 'T') - 4; // a single IDAT chunk
        int adler = idat + 8 + ((png[idat + 2] & 0xFF) << 8 | (png[idat + 3] & 0xFF)) - 4;

        for (int cut = 8; cut < adler; cut++) {
            assertThat(codeOf(Arrays.copyOf(png, cut))).as("cut at %d of %d", cut, png.length).isEqualTo(Code.CORRUPT_IMAGE);
        }
        for (int cut = adler; cut < png.length; cut++) {
            assertThat(ImageDecoder.decode(Arrays.copyOf(png, cut), LIMIT).width()).isEqualTo(20);
        }
    }

    @Test
    void pngWhoseImageDataEndsEarlyIsCorrupt() {
        byte[] halfTheRows = new byte[10 * (1 + 3 * 20)]; // a complete zlib stream, 10 rows of 20
        byte[] png = concat(TestImages.pngHeader(20, 20, 8, 2), TestImages.chunk("IDAT", deflate(halfTheRows)),
                TestImages.chunk("IEND", new byte[0]));

        assertThat(codeOf(png)).isEqualTo(Code.CORRUPT_IMAGE);
    }

    @Test
    void pngHeaderChecksumIsVerifiedAsPilDoes() {
        byte[] png = encode(noise(4, 4, BufferedImage.TYPE_3BYTE_BGR, 6), "png");
        png[29] ^= 1; // IHDR CRC

        assertThat(codeOf(png)).isEqualTo(Code.CORRUPT_IMAGE);
    }

    @Test
    void invalidPngHeaderIsCorrupt() {
        byte[] png = encode(noise(4, 4, BufferedImage.TYPE_3BYTE_BGR, 7), "png");

        assertThat(codeOf(TestImages.pngHeader(0, 10, 8, 2))).isEqualTo(Code.CORRUPT_IMAGE);
        assertThat(codeOf(TestImages.pngHeader(10, 10, 3, 2))).isEqualTo(Code.CORRUPT_IMAGE); // 3-bit RGB
        assertThat(codeOf(Arrays.copyOf(png, 20))).isEqualTo(Code.CORRUPT_IMAGE);
    }

    @Test
    void truncatedJpegIsCorruptEvenWhenOnlyTheEndMarkerIsMissing() {
        byte[] jpeg = encode(noise(24, 24, BufferedImage.TYPE_3BYTE_BGR, 8), "jpeg");

        assertThat(codeOf(Arrays.copyOf(jpeg, jpeg.length - 2))).isEqualTo(Code.CORRUPT_IMAGE);
        for (int cut = 3; cut < jpeg.length - 2; cut += 7) {
            assertThat(codeOf(Arrays.copyOf(jpeg, cut))).as("cut at %d of %d", cut, jpeg.length).isEqualTo(Code.CORRUPT_IMAGE);
        }
    }

    @Test
    void jpegVariantsPilCannotReadAreUnsupported() {
        byte[] jpeg = encode(noise(8, 8, BufferedImage.TYPE_3BYTE_BGR, 9), "jpeg");
        int sof = TestImages.indexOf(jpeg, 2, 0xFF, 0xC0);
        byte[] twelveBit = jpeg.clone();
        twelveBit[sof + 4] = 12;
        byte[] arithmetic = jpeg.clone();
        arithmetic[sof + 1] = (byte) 0xC9;

        assertThat(codeOf(twelveBit)).isEqualTo(Code.UNSUPPORTED_FORMAT);
        assertThat(codeOf(arithmetic)).isEqualTo(Code.UNSUPPORTED_FORMAT);
    }

    @Test
    void bmpWithEmbeddedPngIsUnsupported() {
        byte[] bmp = encode(noise(4, 4, BufferedImage.TYPE_3BYTE_BGR, 10), "bmp");
        bmp[30] = 5; // BI_PNG

        assertThat(codeOf(bmp)).isEqualTo(Code.UNSUPPORTED_FORMAT);
    }

    @Test
    void truncatedGifAndBmpAreCorrupt() {
        byte[] gif = encode(noise(16, 16, BufferedImage.TYPE_BYTE_INDEXED, 11), "gif");
        byte[] bmp = encode(noise(16, 16, BufferedImage.TYPE_3BYTE_BGR, 12), "bmp");

        assertThat(codeOf(Arrays.copyOf(gif, gif.length / 2))).isEqualTo(Code.CORRUPT_IMAGE);
        assertThat(codeOf(Arrays.copyOf(bmp, bmp.length / 2))).isEqualTo(Code.CORRUPT_IMAGE);
        assertThat(codeOf("GIF89a\1\0\1\0\0\0\0;".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(Code.CORRUPT_IMAGE);
    }

    /** Flipped bytes in every fixture: decoded or refused with our exception, nothing else escapes. */
    @Test
    void mutatedFilesNeverThrowAnythingElse() {
        Random random = new Random(42);
        for (PilFixture f : PilFixture.all()) {
            byte[] original = f.encoded();
            for (int trial = 0; trial < 40; trial++) {
                byte[] mutated = original.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                }
                try {
                    ImageDecoder.decode(mutated, LIMIT);
                } catch (ImageDecodeException expected) {
                    assertThat(expected.code()).isNotNull();
                }
            }
        }
    }

    @Test
    void nonPositiveLimitIsAProgrammingError() {
        assertThatThrownBy(() -> ImageDecoder.decode(new byte[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Code codeOf(byte[] encoded) {
        return refusal(encoded).code();
    }

    private static ImageDecodeException refusal(byte[] encoded) {
        ImageDecodeException e = catchThrowableOfType(() -> ImageDecoder.decode(encoded, LIMIT), ImageDecodeException.class);
        assertThat(e).as("decode should refuse the input").isNotNull();
        return e;
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] out = new byte[raw.length + 64];
        int n = deflater.deflate(out);
        deflater.end();
        return Arrays.copyOf(out, n);
    }
}
