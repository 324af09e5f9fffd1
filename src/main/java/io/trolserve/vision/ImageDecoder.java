package io.trolserve.vision;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Encoded image bytes to the image the model sees. Decoding gives the RGB bytes PIL's
 * {@code Image.open(f).convert("RGB")} gives, which is how the official TroL code loads an image
 * (TROL_SPEC.md §2 step 1; {@code demo.py}); {@link #decode(byte[], DecodeLimits, int)} then
 * resizes them to the model's input size exactly as libtorch's uint8 bicubic does (§2 step 2,
 * {@link BicubicResizer}), row by row as they come out of ImageIO, so no full-size RGB copy ever
 * exists and ImageIO's raster is garbage when it returns.
 *
 * <p>Pipeline: magic bytes → format header → pixel and side limits → budget of pixels in flight →
 * ImageIO decodes raw samples, within a time limit → per-format conversion to RGB rows → resize.
 * The limits are applied to the header's size before ImageIO sees the data, so a small file
 * claiming a huge image costs no allocation. Nothing is composited, rotated or colour-managed:
 * alpha is dropped, the EXIF orientation and any ICC profile are ignored, as in PIL. PNGs, GIFs and
 * BMPs come out byte-identical to PIL; JPEGs too in the cases measured (see the tests), both
 * decoders being libjpeg with the same integer IDCT and upsampling.
 *
 * <p>Stateless; calls may run concurrently (they share only the budget they are given).
 */
public final class ImageDecoder {

    /** ImageIO's buffers are single Java arrays: 4 samples per pixel must still fit in one. */
    static final long HARD_MAX_PIXELS = (Integer.MAX_VALUE - 8) / 4;

    /**
     * Longest side accepted (the JPEG and GIF maximum). ImageIO's PNG reader keeps two rows of up to
     * 8 bytes a pixel beside the raster; with sides this short they stay small, so the pixel count
     * bounds a decode's memory, which {@link DecodeBudget} relies on. A 64-megapixel image 1 pixel
     * high would otherwise need 3 times its raster.
     */
    static final int MAX_SIDE = 65535;

    private ImageDecoder() {}

    /** Format and size from the header alone; no pixel is decoded. */
    public static ImageInfo probe(byte[] encoded) {
        return header(encoded).info();
    }

    /**
     * The image as the model takes it: decoded as PIL does, resized to {@code targetSize} square
     * as libtorch's {@code upsample_bicubic2d} does on uint8 (bit-exact; the engine then needs no
     * resize). {@code contentHash} is still the hash of the encoded bytes.
     *
     * @throws ImageDecodeException for any input that is not a decodable image within the limits
     */
    public static DecodedImage decode(byte[] encoded, DecodeLimits limits, int targetSize) {
        if (targetSize <= 0) {
            throw new IllegalArgumentException("targetSize must be positive: " + targetSize);
        }
        FormatHeader header = allowed(encoded, limits.maxPixels());
        BicubicResizer resizer = new BicubicResizer(header.width(), header.height(), targetSize, targetSize);
        decodeInto(encoded, header, limits, resizer);
        return new DecodedImage(targetSize, targetSize, resizer.rgb(), contentHash(encoded));
    }

    /**
     * The image at its own size, on the serving path of a tiling model (TroL-3.8B: the tiler needs
     * the original, docs/TROL_3_8B.md §3), within the service's limits: its pixel cap, the shared
     * decode budget and the decode deadline. It holds the full-size RGB copy (3 bytes a pixel).
     *
     * @throws ImageDecodeException for any input that is not a decodable image within the limits
     */
    public static DecodedImage decodeFullSize(byte[] encoded, DecodeLimits limits) {
        FormatHeader header = allowed(encoded, limits.maxPixels());
        FullSizeRgb full = new FullSizeRgb(header.width(), header.height());
        decodeInto(encoded, header, limits, full);
        return new DecodedImage(header.width(), header.height(), full.rgb(), contentHash(encoded));
    }

    /**
     * The image at its own size, for tools and tests that want PIL's bytes; it holds the full-size
     * RGB copy that the serving path avoids. Decoded within {@link DecodeLimits#standalone}.
     *
     * @param maxPixels refuse with {@code TOO_MANY_PIXELS} when width * height exceeds this
     * @throws ImageDecodeException for any input that is not a decodable image within the limit
     */
    public static DecodedImage decode(byte[] encoded, long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        return decodeFullSize(encoded, DecodeLimits.standalone(maxPixels));
    }

    private static FormatHeader allowed(byte[] encoded, long maxPixels) {
        FormatHeader header = header(encoded);
        long pixels = (long) header.width() * header.height();
        long limit = Math.min(maxPixels, HARD_MAX_PIXELS);
        if (pixels > limit) {
            throw new ImageDecodeException(ImageDecodeException.Code.TOO_MANY_PIXELS, String.format(
                    "%s is %dx%d = %d pixels, limit %d", header.format(), header.width(), header.height(), pixels, limit));
        }
        if (Math.max(header.width(), header.height()) > MAX_SIDE) {
            throw new ImageDecodeException(ImageDecodeException.Code.TOO_MANY_PIXELS, String.format(
                    "%s is %dx%d, a side longer than %d", header.format(), header.width(), header.height(), MAX_SIDE));
        }
        return header;
    }

    /**
     * Holds the image's pixels of the budget from before ImageIO allocates until its rows are
     * consumed. Every failure while decoding becomes an {@link ImageDecodeException}: ImageIO
     * throws checked and unchecked exceptions alike (NPEs and index errors included) on hostile
     * input, and a reader stopped by the deadline fails in whatever way it fails.
     */
    private static void decodeInto(byte[] encoded, FormatHeader header, DecodeLimits limits, RgbRowSink sink) {
        header.checkDecodable();
        try (DecodeBudget.Lease lease = limits.budget().acquire((long) header.width() * header.height());
             DecodeDeadline deadline = DecodeDeadline.start(limits.maxDecodeTime())) {
            try {
                RawPixels raw = ImageIoRaster.read(encoded, header, deadline);
                deadline.check(); // a reader told to stop returns what it has so far
                header.toRgb(raw, rowsWithin(deadline, sink));
            } catch (ImageDecodeException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (deadline.expired()) {
                    throw deadline.timeout();
                }
                throw new ImageDecodeException(ImageDecodeException.Code.CORRUPT_IMAGE,
                        header.format() + " cannot be decoded: " + e.getMessage(), e);
            } catch (OutOfMemoryError e) {
                // The limits were checked, so this is a heap too small for an allowed size. The big
                // buffers were local to this call: the heap is usable again once we return.
                throw new ImageDecodeException(ImageDecodeException.Code.TOO_MANY_PIXELS,
                        "not enough memory to decode " + header.width() + "x" + header.height(), e);
            }
        }
    }

    /** The sink, checking the deadline before each row: our own loops stop too. */
    private static RgbRowSink rowsWithin(DecodeDeadline deadline, RgbRowSink sink) {
        return new RgbRowSink() {
            @Override
            public boolean wantsRow(int y) {
                return sink.wantsRow(y);
            }

            @Override
            public void row(int y, byte[] rgb) {
                deadline.check();
                sink.row(y, rgb);
            }
        };
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
