package io.trolserve.vision;

import java.io.IOException;
import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * Encoded bytes as an ImageIO stream, read in place (ImageIO's {@code MemoryCacheImageInputStream}
 * would copy them into its cache), every read failing once the decode's time is up.
 */
final class GuardedImageInput extends ImageInputStreamImpl {

    private final byte[] bytes;
    private final DecodeDeadline deadline;

    GuardedImageInput(byte[] bytes, DecodeDeadline deadline) {
        this.bytes = bytes;
        this.deadline = deadline;
    }

    @Override
    public int read() throws IOException {
        stopIfExpired();
        bitOffset = 0;
        return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        stopIfExpired();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(len, bytes.length - streamPos);
        System.arraycopy(bytes, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return bytes.length;
    }

    private void stopIfExpired() throws IOException {
        if (deadline.expired()) {
            throw new IOException("decode time limit reached");
        }
    }
}
