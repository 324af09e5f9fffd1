package io.trolserve.messaging.contract;

import java.util.Objects;

/**
 * An image to fetch ({@code {"url": ...}}). The parser has checked only the syntax (scheme
 * http/https/file, no {@code ..} in a file path); host allow-lists and the file root are the image
 * fetcher's job.
 */
public record UrlImage(java.net.URI url) implements ImageSource {

    public UrlImage {
        Objects.requireNonNull(url, "url");
    }
}
