package io.trolserve.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Oracle tier: every fixture decodes to the bytes PIL's {@code Image.open(f).convert("RGB")} gave
 * (Pillow 9.4 with libjpeg-turbo 2.1, see make_fixtures.py).
 */
class PilEquivalenceTest {

    /**
     * Largest per-channel difference allowed between this decoder and PIL on a JPEG. Measured: 0 on
     * every fixture (baseline, progressive, optimised; 4:4:4, 4:2:2, 4:2:0; grey, CMYK, YCCK, Adobe
     * RGB), since the JDK's libjpeg 6b and libjpeg-turbo share the integer IDCT and the "fancy"
     * upsampling, and the colour conversion is redone here in libjpeg's arithmetic. Raise it only
     * with a fixture that shows why.
     */
    static final int JPEG_MAX_DIFF = 0;

    static List<PilFixture> fixtures() {
        return PilFixture.all();
    }

    @Test
    void fixtureSetCoversAllFormats() {
        assertThat(fixtures()).hasSizeGreaterThan(50)
                .extracting(f -> f.file().substring(f.file().lastIndexOf('.') + 1))
                .contains("png", "jpg", "gif", "bmp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void decodesToPilBytes(PilFixture f) {
        DecodedImage image = ImageDecoder.decode(f.encoded(), 1 << 20);

        assertThat(image.width()).isEqualTo(f.width());
        assertThat(image.height()).isEqualTo(f.height());
        Difference d = Difference.of(image, f.pilRgb());
        assertThat(d.max()).as("%s: %s", f, d).isLessThanOrEqualTo(f.isJpeg() ? JPEG_MAX_DIFF : 0);
    }

    /**
     * The official pipeline end to end: PIL's bytes resized by libtorch's uint8 bicubic, as the
     * engine used to, equal what the decoder hands the engine now.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void resizedAsLibtorchResizesPilBytes(PilFixture f) {
        DecodeLimits limits = DecodeLimits.standalone(1 << 20);
        for (int side : ResizeOracle.TARGETS) {
            DecodedImage image = ImageDecoder.decode(f.encoded(), limits, side);

            ResizeOracle.Case pil = new ResizeOracle.Case(f.width(), f.height(), f.pilRgb(), side, side);
            assertThat(ResizeOracle.firstDifference(pil, ResizeOracle.libtorch(pil), image.rgb())).isNull();
            assertThat(image.contentHash()).isEqualTo(ImageDecoder.contentHash(f.encoded()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void probeReportsPilSize(PilFixture f) {
        ImageInfo info = ImageDecoder.probe(f.encoded());

        assertThat(info.width()).isEqualTo(f.width());
        assertThat(info.height()).isEqualTo(f.height());
        assertThat(info.format().name().toLowerCase()).startsWith(f.file().substring(f.file().lastIndexOf('.') + 1, f.file().lastIndexOf('.') + 3));
    }

    /** Largest per-channel difference, and where it first occurs, for a readable failure. */
    record Difference(int max, int count, int firstX, int firstY, int firstChannel, int ours, int pil) {

        static Difference of(DecodedImage image, byte[] pil) {
            assertThat(image.rgb()).hasSameSizeAs(pil);
            int max = 0;
            int count = 0;
            int first = -1;
            for (int i = 0; i < pil.length; i++) {
                int d = Math.abs((image.rgb()[i] & 0xFF) - (pil[i] & 0xFF));
                if (d > 0) {
                    count++;
                    first = first < 0 ? i : first;
                    max = Math.max(max, d);
                }
            }
            if (first < 0) {
                return new Difference(0, 0, -1, -1, -1, 0, 0);
            }
            int pixel = first / 3;
            return new Difference(max, count, pixel % image.width(), pixel / image.width(), first % 3,
                    image.rgb()[first] & 0xFF, pil[first] & 0xFF);
        }
    }
}
