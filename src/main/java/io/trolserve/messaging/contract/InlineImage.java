package io.trolserve.messaging.contract;

import java.util.Arrays;
import java.util.Objects;

/**
 * An image carried in the request as base64 ({@code {"data": ..., "mediaType": ...}}).
 *
 * @param data the decoded bytes, not yet checked to be a decodable image (the vision side does that)
 * @param mediaType lower-case, one of {@link RequestLimits#allowedMediaTypes()}
 */
public record InlineImage(byte[] data, String mediaType) implements ImageSource {

    public InlineImage {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(mediaType, "mediaType");
    }

    // Arrays compare by content, and toString must not print megabytes of pixels.
    @Override
    public boolean equals(Object o) {
        return o instanceof InlineImage other
                && mediaType.equals(other.mediaType)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * mediaType.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "InlineImage[" + mediaType + ", " + data.length + " bytes]";
    }
}
