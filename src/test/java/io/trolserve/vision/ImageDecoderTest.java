package io.trolserve.vision;

import static io.trolserve.vision.TestImages.concat;
import static io.trolserve.vision.TestImages.encode;
import static io.trolserve.vision.TestImages.noise;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.junit.jupiter.api.Test;

/** Unit tier: images made with the JDK's writers, whose exact samples are known. */
class ImageDecoderTest {

    private static final long LIMIT = 1 << 20;
    private static final long LIMIT_LARGE = 1 << 24;

    @Test
    void rgbPngKeepsSamples() {
        BufferedImage image = noise(31, 9, BufferedImage.TYPE_3BYTE_BGR, 1);

        DecodedImage decoded = ImageDecoder.decode(encode(image, "png"), LIMIT);

        assertThat(decoded.width()).isEqualTo(31);
        assertThat(decoded.height()).isEqualTo(9);
        assertThat(decoded.rgb()).isEqualTo(TestImages.rasterRgb(image));
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage image = noise(8, 8, BufferedImage.TYPE_4BYTE_ABGR, 2);
        image.getRaster().setPixel(0, 0, new int[] {10, 20, 30, 0}); // fully transparent, colour kept

        DecodedImage decoded = ImageDecoder.decode(encode(image, "png"), LIMIT);

        assertThat(Arrays.copyOf(decoded.rgb(), 3)).containsExactly(10, 20, 30);
        assertThat(decoded.rgb()).isEqualTo(TestImages.rasterRgb(image));
    }

    @Test
    void greyIsReplicatedFromTheRasterNotThroughGetRgb() {
        BufferedImage grey = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] levels = {0, 64, 128, 200};
        grey.getRaster().setPixels(0, 0, 4, 1, levels);

        DecodedImage decoded = ImageDecoder.decode(encode(grey, "png"), LIMIT);

        assertThat(decoded.rgb()).containsExactly(0, 0, 0, 64, 64, 64, 128, 128, 128, 200, 200, 200);
        // the trap: getRGB treats TYPE_BYTE_GRAY as linear light and re-encodes it as sRGB
        assertThat(grey.getRGB(2, 0) & 0xFF).isNotEqualTo(128);
    }

    @Test
    void sixteenBitGreyClipsAt255LikePilModeI() {
        BufferedImage grey = new BufferedImage(5, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setPixels(0, 0, 5, 1, new int[] {0, 200, 255, 256, 65535});

        DecodedImage decoded = ImageDecoder.decode(encode(grey, "png"), LIMIT);

        assertThat(decoded.rgb()).containsExactly(0, 0, 0, 200, 200, 200, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    }

    @Test
    void interlacedPngEqualsPlain() {
        BufferedImage image = noise(29, 13, BufferedImage.TYPE_3BYTE_BGR, 3);

        assertThat(ImageDecoder.decode(TestImages.interlacedPng(image), LIMIT).rgb())
                .isEqualTo(ImageDecoder.decode(encode(image, "png"), LIMIT).rgb());
    }

    @Test
    void jpegIccProfileIsIgnored() {
        byte[] plain = encode(noise(24, 16, BufferedImage.TYPE_3BYTE_BGR, 4), "jpeg");
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] tag = concat("ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 1}, profile);
        int length = tag.length + 2;
        byte[] app2 = concat(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length}, tag);
        byte[] withIcc = concat(Arrays.copyOf(plain, 2), app2, Arrays.copyOfRange(plain, 2, plain.length));

        assertThat(ImageDecoder.decode(withIcc, LIMIT).rgb()).isEqualTo(ImageDecoder.decode(plain, LIMIT).rgb());
    }

    @Test
    void jpegRestartMarkersDoNotEndTheScan() throws Exception {
        BufferedImage image = noise(40, 24, BufferedImage.TYPE_3BYTE_BGR, 5);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree("javax_imageio_jpeg_image_1.0");
        IIOMetadataNode dri = new IIOMetadataNode("dri");
        dri.setAttribute("interval", "1"); // a restart marker after every MCU
        IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
        markers.insertBefore(dri, markers.getFirstChild());
        metadata.setFromTree("javax_imageio_jpeg_image_1.0", root);
        writer.dispose();
        byte[] restarts = TestImages.write(image, "jpeg", param, metadata);
        assertThat(TestImages.indexOf(restarts, 0, 0xFF, 0xD0)).isPositive();

        assertThat(ImageDecoder.decode(restarts, LIMIT).rgb())
                .isEqualTo(ImageDecoder.decode(encode(image, "jpeg"), LIMIT).rgb());
    }

    @Test
    void pngWithoutIendDecodesAsInPil() {
        byte[] png = encode(noise(7, 5, BufferedImage.TYPE_3BYTE_BGR, 6), "png");
        byte[] noIend = Arrays.copyOf(png, png.length - 12);

        assertThat(ImageDecoder.decode(noIend, LIMIT).rgb()).isEqualTo(ImageDecoder.decode(png, LIMIT).rgb());
    }

    @Test
    void jpegWithBytesAfterEndOfImageDecodes() {
        byte[] jpeg = encode(noise(16, 16, BufferedImage.TYPE_3BYTE_BGR, 7), "jpeg");
        byte[] trailing = concat(jpeg, "appended video or garbage".getBytes(StandardCharsets.US_ASCII));

        assertThat(ImageDecoder.decode(trailing, LIMIT).rgb()).isEqualTo(ImageDecoder.decode(jpeg, LIMIT).rgb());
    }

    @Test
    void probeReadsOnlyTheHeader() {
        byte[] headerOnly = TestImages.pngHeader(640, 480, 8, 2);

        assertThat(ImageDecoder.probe(headerOnly)).isEqualTo(new ImageInfo(ImageFormat.PNG, 640, 480));
        assertThat(ImageDecoder.probe(encode(noise(3, 2, BufferedImage.TYPE_3BYTE_BGR, 8), "bmp")))
                .isEqualTo(new ImageInfo(ImageFormat.BMP, 3, 2));
    }

    @Test
    void limitIsInclusive() {
        byte[] png = encode(noise(10, 10, BufferedImage.TYPE_BYTE_GRAY, 9), "png");

        assertThat(ImageDecoder.decode(png, 100).width()).isEqualTo(10);
    }

    @Test
    void contentHashIsSha256OfTheEncodedBytes() {
        byte[] png = encode(noise(4, 4, BufferedImage.TYPE_3BYTE_BGR, 10), "png");

        assertThat(ImageDecoder.contentHash("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ImageDecoder.decode(png, LIMIT).contentHash()).isEqualTo(ImageDecoder.contentHash(png));
    }

    @Test
    void decodeToModelInputIsSquareAndKeepsTheHashOfTheEncodedBytes() {
        byte[] png = encode(noise(37, 21, BufferedImage.TYPE_3BYTE_BGR, 11), "png");

        DecodedImage image = ImageDecoder.decode(png, DecodeLimits.standalone(LIMIT), 56);

        assertThat(image.width()).isEqualTo(56);
        assertThat(image.height()).isEqualTo(56);
        assertThat(image.contentHash()).isEqualTo(ImageDecoder.contentHash(png));
    }

    /**
     * The serving decode holds ImageIO's raster and small buffers, never a full-size RGB copy; the
     * decode at full size, which makes one, is the control that shows the measure can see it.
     */
    @Test
    void decodeToModelInputMakesNoFullSizeRgbCopy() {
        int w = 2000;
        int h = 1500;
        byte[] greyPng = encode(noise(w, h, BufferedImage.TYPE_BYTE_GRAY, 12), "png");     // raster: 1 byte a pixel
        byte[] rgbJpeg = encode(noise(w, h, BufferedImage.TYPE_3BYTE_BGR, 13), "jpeg");   // raster: 3 bytes a pixel
        DecodeLimits limits = DecodeLimits.standalone(LIMIT_LARGE);
        for (byte[] encoded : new byte[][] {greyPng, rgbJpeg}) {
            long raster = (long) w * h * (encoded == greyPng ? 1 : 3);
            allocatedBy(() -> ImageDecoder.decode(encoded, limits, 56)); // classes loaded, code warm

            long resized = allocatedBy(() -> ImageDecoder.decode(encoded, limits, 56));
            long fullSize = allocatedBy(() -> ImageDecoder.decode(encoded, LIMIT_LARGE));

            long rgbCopy = 3L * w * h;
            assertThat(resized).isLessThan(raster + rgbCopy / 2);
            assertThat(fullSize).isGreaterThan(raster + rgbCopy);
        }
    }

    private static long allocatedBy(Runnable decode) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        decode.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void concurrentDecodesAreIndependent() throws Exception {
        List<PilFixture> fixtures = PilFixture.all();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (PilFixture f : fixtures) {
                    results.add(pool.submit(() -> Arrays.equals(ImageDecoder.decode(f.encoded(), LIMIT).rgb(), f.pilRgb())));
                }
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
