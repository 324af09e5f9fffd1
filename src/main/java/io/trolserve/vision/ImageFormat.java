package io.trolserve.vision;

/**
 * The encodings {@link ImageDecoder} reads. The format is decided by the file's magic bytes, never
 * by a media type a client claims.
 */
public enum ImageFormat {
    PNG,
    JPEG,
    GIF,
    BMP;

    static ImageFormat sniff(byte[] b) {
        if (b.length == 0) {
            throw new ImageDecodeException(ImageDecodeException.Code.EMPTY_IMAGE, "image has 0 bytes");
        }
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n')) {
            return PNG;
        }
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(b, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return GIF;
        }
        if (startsWith(b, 0, 'B', 'M')) {
            return BMP;
        }
        throw ImageDecodeException.unsupported(knownButUnsupported(b) + "; supported: PNG, JPEG, GIF, BMP");
    }

    /** Names a few formats clients do send, so the error tells them what to convert from. */
    private static String knownButUnsupported(byte[] b) {
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return "WebP is not supported";
        }
        if (startsWith(b, 0, 'I', 'I', '*', 0) || startsWith(b, 0, 'M', 'M', 0, '*')) {
            return "TIFF is not supported";
        }
        if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
            return "HEIF/AVIF is not supported";
        }
        return "unrecognised image format";
    }

    private static boolean startsWith(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
