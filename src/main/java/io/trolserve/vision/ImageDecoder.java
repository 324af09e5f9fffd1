package io.trolserve.vision;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Encoded image bytes to the RGB bytes PIL's {@code Image.open(f).convert("RGB")} gives, which is
 * how the official TroL code loads an image (TROL_SPEC.md §2 step 1; {@code demo.py}).
 *
 * <p>Pipeline: magic bytes → format header → pixel limit → ImageIO decodes raw samples →
 * per-format conversion to RGB. The limit is applied to the header's size before ImageIO sees the
 * data, so a small file claiming a huge image costs no allocation. Nothing is composited, rotated
 * or colour-managed: alpha is dropped, the EXIF orientation and any ICC profile are ignored, as in
 * PIL. PNGs, GIFs and BMPs come out byte-identical to PIL; JPEGs too in the cases measured (see the
 * tests), both decoders being libjpeg with the same integer IDCT and upsampling.
 *
 * <p>Stateless; calls may run concurrently.
 */
public final class ImageDecoder {

    /** ImageIO's buffers are single Java arrays: 4 samples per pixel must still fit in one. */
    static final long HARD_MAX_PIXELS = (Integer.MAX_VALUE - 8) / 4;

    private ImageDecoder() {}

    /** Format and size from the header alone; no pixel is decoded. */
    public static ImageInfo probe(byte[] encoded) {
        return header(encoded).info();
    }

    /**
     * @param maxPixels refuse with {@code TOO_MANY_PIXELS} when width * height exceeds this
     * @throws ImageDecodeException for any input that is not a decodable image within the limit
     */
    public static DecodedImage decode(byte[] encoded, long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        FormatHeader header = header(encoded);
        long pixels = (long) header.width() * header.height();
        if (pixels > Math.min(maxPixels, HARD_MAX_PIXELS)) {
            throw new ImageDecodeException(ImageDecodeException.Code.TOO_MANY_PIXELS, String.format(
                    "%s is %dx%d = %d pixels, limit %d", header.format(), header.width(), header.height(),
                    pixels, Math.min(maxPixels, HARD_MAX_PIXELS)));
        }
        header.checkDecodable();
        return new DecodedImage(header.width(), header.height(), pixels(encoded, header), contentHash(encoded));
    }

    /**
     * Every failure while decoding becomes an {@link ImageDecodeException}: ImageIO throws checked
     * and unchecked exceptions alike (NPEs and index errors included) on hostile input.
     */
    private static byte[] pixels(byte[] encoded, FormatHeader header) {
        try {
            return header.toRgb(ImageIoRaster.read(encoded, header));
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(ImageDecodeException.Code.CORRUPT_IMAGE,
                    header.format() + " cannot be decoded: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // The pixel limit was checked, so this is a heap too small for an allowed size. The big
            // buffers were local to this call: the heap is usable again once we return.
            throw new ImageDecodeException(ImageDecodeException.Code.TOO_MANY_PIXELS,
                    "not enough memory to decode " + header.width() + "x" + header.height(), e);
        }
    }

    /** SHA-256 of the encoded bytes, lower-case hex: the key {@link DecodedImage#contentHash()} carries. */
    public static String contentHash(byte[] encoded) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    private static FormatHeader header(byte[] encoded) {
        if (encoded == null) {
            throw new ImageDecodeException(ImageDecodeException.Code.EMPTY_IMAGE, "no image bytes");
        }
        return FormatHeader.parse(ImageFormat.sniff(encoded), encoded);
    }
}
