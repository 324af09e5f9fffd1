package io.trolserve.vision;

/** What {@link ImageDecoder#probe} reads from an image's header, without decoding any pixel. */
public record ImageInfo(ImageFormat format, int width, int height) {

    public long pixelCount() {
        return (long) width * height;
    }
}
