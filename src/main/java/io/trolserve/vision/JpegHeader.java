package io.trolserve.vision;

/**
 * A JPEG's marker structure, walked once over the whole file: frame header (SOF), the JFIF and
 * Adobe markers that decide the colour space, the number of scans and whether an end-of-image
 * marker (EOI) is reached.
 *
 * <p>The EOI check is how truncation is detected: ImageIO only warns on a cut-off JPEG and returns
 * the image padded with grey, while PIL refuses it ("image file is truncated") — even when only the
 * final EOI is missing. Bytes after EOI are ignored, as PIL does (phones append data there).
 */
record JpegHeader(int width, int height, int sofMarker, int precision, int[] componentIds,
        boolean jfif, int adobeTransform, int scans, boolean complete) implements FormatHeader {

    /**
     * Scans decoded at most. Each scan is a pass over every block of the image, and a scan can be a
     * few bytes (an end-of-band run), so scans, not bytes, are what a progressive JPEG costs:
     * on 2 cores, each extra 56-byte scan of an 8192 x 8192 image cost 0.2 to 0.35 s, 489 of them
     * 97 s. libjpeg reads 4 kB of input at a time, so the decode deadline cannot cut in between
     * scans that small. Real encoders write 6 (grey) to 18 (CMYK) scans with libjpeg's standard
     * script, and a few more when optimised (mozjpeg); 64 leaves room and bounds the cost.
     */
    static final int MAX_SCANS = 64;

    @Override
    public ImageFormat format() {
        return ImageFormat.JPEG;
    }

    static JpegHeader parse(byte[] encoded) {
        HeaderBytes h = new HeaderBytes(encoded, "JPEG");
        Builder b = new Builder();
        int pos = 2; // after SOI
        while (pos < h.length()) {
            if (h.u8(pos) != 0xFF) { // junk between segments: libjpeg warns and skips it, so does PIL
                pos++;
                continue;
            }
            while (pos < h.length() && h.u8(pos) == 0xFF) { // fill bytes
                pos++;
            }
            if (pos >= h.length()) {
                break;
            }
            int marker = h.u8(pos++);
            if (marker == 0xD9) {
                return b.build(h, true);
            }
            if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // no length field
            }
            if (pos + 2 > h.length() || pos + h.u16be(pos) > h.length()) {
                break; // segment cut off
            }
            int length = h.u16be(pos);
            if (length < 2) {
                throw h.corrupt("segment length " + length + " at byte " + pos);
            }
            b.segment(h, marker, pos + 2, length - 2);
            pos += length;
            if (marker == 0xDA) {
                pos = skipEntropyCodedData(h, pos);
            }
        }
        return b.build(h, false);
    }

    /** Entropy-coded data ends at the first 0xFF not followed by 0x00 (stuffing) or a restart marker. */
    private static int skipEntropyCodedData(HeaderBytes h, int pos) {
        byte[] a = h.array();
        for (int i = pos; i + 1 < a.length; i++) {
            if (a[i] == (byte) 0xFF) {
                int next = a[i + 1] & 0xFF;
                if (next != 0x00 && (next < 0xD0 || next > 0xD7)) {
                    return i;
                }
            }
        }
        return a.length;
    }

    @Override
    public void checkDecodable() {
        if (!complete) {
            throw ImageDecodeException.corrupt("JPEG is truncated: no end-of-image marker");
        }
        if (sofMarker != 0xC0 && sofMarker != 0xC1 && sofMarker != 0xC2) {
            throw ImageDecodeException.unsupported(String.format(
                    "JPEG process SOF%d (arithmetic, lossless or hierarchical) is not supported", sofMarker - 0xC0));
        }
        if (precision != 8) {
            throw ImageDecodeException.unsupported(precision + "-bit JPEG is not supported");
        }
        int n = componentIds.length;
        if (n != 1 && n != 3 && n != 4) {
            throw ImageDecodeException.unsupported("JPEG with " + n + " components is not supported");
        }
        if (scans > MAX_SCANS) {
            throw ImageDecodeException.unsupported("JPEG with " + scans + " scans is not supported, at most " + MAX_SCANS);
        }
    }

    @Override
    public void toRgb(RawPixels pixels, RgbRowSink sink) {
        JpegColor.toRgb(JpegColor.Space.of(this), pixels, sink);
    }

    /** Collects what {@link #parse} finds; the first SOF wins. */
    private static final class Builder {
        int sof = -1;
        int precision;
        int width;
        int height;
        int[] ids;
        boolean jfif;
        int adobeTransform = -1;
        int scans;

        void segment(HeaderBytes h, int marker, int data, int dataLength) {
            boolean isSof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (isSof && sof < 0) {
                sof = marker;
                precision = h.u8(data);
                height = h.u16be(data + 1);
                width = h.u16be(data + 3);
                ids = new int[h.u8(data + 5)];
                if (dataLength < 6 + 3 * ids.length) {
                    throw h.corrupt("frame header too short for " + ids.length + " components");
                }
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = h.u8(data + 6 + 3 * i);
                }
            } else if (marker == 0xE0 && dataLength >= 14 && h.matches(data, "JFIF\0")) {
                jfif = true; // the minimum lengths are libjpeg's, which decides the colour space
            } else if (marker == 0xEE && dataLength >= 12 && h.matches(data, "Adobe")) {
                adobeTransform = h.u8(data + 11);
            } else if (marker == 0xDA) {
                if (sof < 0) {
                    throw h.corrupt("scan before frame header");
                }
                scans++;
            }
        }

        JpegHeader build(HeaderBytes h, boolean complete) {
            if (sof < 0) {
                throw h.corrupt("no frame header (SOF) found");
            }
            if (width == 0 || height == 0) {
                throw h.corrupt("invalid size " + width + "x" + height + " (DNL is not supported)");
            }
            return new JpegHeader(width, height, sof, precision, ids, jfif, adobeTransform, scans, complete);
        }
    }
}
