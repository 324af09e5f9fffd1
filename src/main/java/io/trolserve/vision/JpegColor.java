package io.trolserve.vision;

/**
 * JPEG colour conversion as PIL gets it: libjpeg converts the decoded components to RGB or CMYK,
 * then PIL's {@code convert("RGB")} turns CMYK into RGB. ImageIO's {@code readRaster} returns the
 * components untouched, so both steps are redone here, in libjpeg's fixed-point arithmetic (JFIF
 * YCbCr, 16 fraction bits) and with Pillow's CMYK rule. That also keeps ImageIO's own colour-space
 * guesses and ICC-profile conversion out of the result: PIL applies no ICC profile either.
 */
final class JpegColor {

    /** The colour space libjpeg infers when the application (PIL) does not set one. */
    enum Space {
        GREY, YCBCR, RGB, CMYK, YCCK;

        static Space of(JpegHeader h) {
            int[] id = h.componentIds();
            if (id.length == 1) {
                return GREY;
            }
            if (id.length == 3) {
                if (h.jfif()) {
                    return YCBCR;
                }
                if (h.adobeTransform() >= 0) {
                    return h.adobeTransform() == 0 ? RGB : YCBCR;
                }
                return id[0] == 'R' && id[1] == 'G' && id[2] == 'B' ? RGB : YCBCR;
            }
            // 4 components: Adobe transform 0 is CMYK, any other value YCCK, no Adobe marker CMYK
            return h.adobeTransform() > 0 ? YCCK : CMYK;
        }
    }

    // FIX(x) = round(x * 2^16), the constants of the JFIF YCbCr -> RGB equations
    private static final int CR_R = 91881; // 1.40200
    private static final int CB_G = 22554; // 0.34414
    private static final int CR_G = 46802; // 0.71414
    private static final int CB_B = 116130; // 1.77200
    private static final int HALF = 1 << 15;

    private JpegColor() {}

    static void toRgb(Space space, RawPixels pixels, RgbRowSink sink) {
        int bands = pixels.bands();
        int[] rgb = new int[3];
        pixels.toRgbRows(sink, (s, n, out, o) -> {
            for (int i = 0, at = 0; i < n; i++, at += bands, o += 3) {
                switch (space) {
                    case GREY -> rgb[0] = rgb[1] = rgb[2] = s[at];
                    case RGB -> System.arraycopy(s, at, rgb, 0, 3);
                    case YCBCR -> ycc(s[at], s[at + 1], s[at + 2], rgb);
                    case CMYK -> invertedCmyk(s[at], s[at + 1], s[at + 2], s[at + 3], rgb);
                    case YCCK -> { // libjpeg: C = 255 - R(Y, Cb, Cr), and likewise M, Y; K as stored
                        ycc(s[at], s[at + 1], s[at + 2], rgb);
                        invertedCmyk(255 - rgb[0], 255 - rgb[1], 255 - rgb[2], s[at + 3], rgb);
                    }
                }
                out[o] = (byte) rgb[0];
                out[o + 1] = (byte) rgb[1];
                out[o + 2] = (byte) rgb[2];
            }
        });
    }

    static void ycc(int y, int cb, int cr, int[] rgb) {
        cb -= 128;
        cr -= 128;
        rgb[0] = clamp(y + ((CR_R * cr + HALF) >> 16));
        rgb[1] = clamp(y + ((-CB_G * cb - CR_G * cr + HALF) >> 16));
        rgb[2] = clamp(y + ((CB_B * cb + HALF) >> 16));
    }

    /**
     * PIL reads every 4-component JPEG as Adobe-style inverted CMYK ("CMYK;I"), then converts with
     * R = (255 - K) - C (255 - K) / 255, rounded — in stored terms, with k the stored K byte:
     * R = k - round((255 - c) k / 255).
     */
    static void invertedCmyk(int c, int m, int y, int k, int[] rgb) {
        rgb[0] = clamp(k - mulDiv255(255 - c, k));
        rgb[1] = clamp(k - mulDiv255(255 - m, k));
        rgb[2] = clamp(k - mulDiv255(255 - y, k));
    }

    /** a * b / 255 rounded to nearest, exactly, for a, b in 0..255. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
