package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

import org.junit.jupiter.api.Test;

import io.trolserve.vision.ImageDecodeException.Code;

/**
 * Decode time is bounded: a decode past its limit is stopped where it is (not run to the end and
 * then refused), and the JPEG scan bomb, which the deadline cannot stop in time, is refused from
 * the header.
 */
class DecodeDeadlineTest {

    private static final long PIXELS = 1 << 26;

    /** ImageIO's PNG reader stops between rows once told to abort. */
    @Test
    void slowPngIsStoppedAtItsDeadline() {
        byte[] png = HugePngs.rgba16(4096, 2048, 3); // 8 Mpx, 64 MiB of raster
        long full = nanosToDecode(png, Duration.ofMinutes(1));

        long started = System.nanoTime();
        ImageDecodeException e = refusal(png, Duration.ofMillis(20));
        long stopped = System.nanoTime() - started;

        assertThat(e.code()).isEqualTo(Code.DECODE_TIMEOUT);
        assertThat(e.getMessage()).contains("20 ms");
        assertThat(stopped).as("nanoseconds to time out, against %d for the whole decode", full).isLessThan(full / 3);
    }

    /** The JPEG reader refuses abort() from another thread; its input running dry stops it instead. */
    @Test
    void slowJpegIsStoppedAtItsDeadline() throws Exception {
        byte[] jpeg = progressiveJpeg(noisy(2048, 2048));
        long full = nanosToDecode(jpeg, Duration.ofMinutes(1));

        long started = System.nanoTime();
        ImageDecodeException e = refusal(jpeg, Duration.ofMillis(20));
        long stopped = System.nanoTime() - started;

        assertThat(e.code()).isEqualTo(Code.DECODE_TIMEOUT);
        assertThat(stopped).as("nanoseconds to time out, against %d for the whole decode", full).isLessThan(full / 3);
    }

    /**
     * A progressive JPEG repeating a tiny scan: each repeat is a pass over every block for a few
     * bytes of input, so it is refused by its scan count before any pixel is decoded.
     */
    @Test
    void jpegWithMoreScansThanTheLimitIsRefusedFromItsHeader() throws Exception {
        byte[] jpeg = progressiveJpeg(noisy(64, 64));
        int scans = count(jpeg, 0xDA);
        byte[] atLimit = withRepeatedLastScan(jpeg, JpegHeader.MAX_SCANS - scans);
        byte[] overLimit = withRepeatedLastScan(jpeg, JpegHeader.MAX_SCANS - scans + 1);

        assertThat(ImageDecoder.decode(atLimit, limits(Duration.ofSeconds(10)), 14).width()).isEqualTo(14);
        ImageDecodeException e = refusal(overLimit, Duration.ofSeconds(10));
        assertThat(e.code()).isEqualTo(Code.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains((JpegHeader.MAX_SCANS + 1) + " scans");
    }

    private static long nanosToDecode(byte[] encoded, Duration limit) {
        long started = System.nanoTime();
        assertThat(ImageDecoder.decode(encoded, limits(limit), 490).width()).isEqualTo(490);
        return System.nanoTime() - started;
    }

    private static ImageDecodeException refusal(byte[] encoded, Duration limit) {
        ImageDecodeException e = catchThrowableOfType(() -> ImageDecoder.decode(encoded, limits(limit), 490),
                ImageDecodeException.class);
        assertThat(e).as("decode should be refused").isNotNull();
        return e;
    }

    private static DecodeLimits limits(Duration time) {
        return new DecodeLimits(PIXELS, time, new DecodeBudget(PIXELS));
    }

    private static BufferedImage noisy(int width, int height) {
        return TestImages.noise(width, height, BufferedImage.TYPE_3BYTE_BGR, width);
    }

    static byte[] progressiveJpeg(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // libjpeg's standard script: 10 scans
        writer.dispose();
        return TestImages.write(image, "jpeg", param, null);
    }

    /** The last scan (from its SOS to the end-of-image marker) repeated {@code extra} more times. */
    private static byte[] withRepeatedLastScan(byte[] jpeg, int extra) {
        int lastScan = jpeg.length - 1;
        while (!((jpeg[lastScan] & 0xFF) == 0xFF && (jpeg[lastScan + 1] & 0xFF) == 0xDA)) {
            lastScan--;
        }
        int end = jpeg.length - 2; // EOI
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, end);
        for (int i = 0; i < extra; i++) {
            out.write(jpeg, lastScan, end - lastScan);
        }
        out.write(jpeg, end, 2);
        return out.toByteArray();
    }

    private static int count(byte[] jpeg, int marker) {
        int n = 0;
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
                n++;
            }
        }
        return n;
    }
}
