package io.trolserve.messaging.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code "image"} object: exactly one of {@code {"data", "mediaType"}} or {@code {"url"}}.
 *
 * <p>URLs are checked for syntax only. Host allow-lists, the file root, timeouts and size limits of
 * fetching belong to the image fetcher, which knows the deployment; refusing {@code ..} here
 * already means no later path logic ever sees a traversal attempt.
 */
final class ImageParser {

    private static final Set<String> FIELDS = Set.of("data", "mediaType", "url");
    private static final Set<String> SCHEMES = Set.of("http", "https", "file");
    static final int MAX_URL_CHARS = 8192;

    private final RequestLimits limits;
    private final UnknownFieldListener unknownFields;

    ImageParser(RequestLimits limits, UnknownFieldListener unknownFields) {
        this.limits = limits;
        this.unknownFields = unknownFields;
    }

    /** The image source, or null for a text-only request. */
    ImageSource parse(JsonNode image) throws InvalidRequestException {
        if (Fields.absent(image)) {
            return null;
        }
        if (!image.isObject()) {
            throw Fields.fail(ErrorCode.INVALID_IMAGE,
                    "image must be an object {data, mediaType} or {url}, got " + image.getNodeType());
        }
        Fields.noteUnknown(image, "image.", FIELDS, unknownFields);
        boolean hasData = !Fields.absent(image.get("data"));
        boolean hasUrl = !Fields.absent(image.get("url"));
        if (hasData == hasUrl) {
            throw Fields.fail(ErrorCode.INVALID_IMAGE, hasData
                    ? "image has both data and url; give exactly one"
                    : "image has neither data nor url; give exactly one, or omit image");
        }
        return hasData ? inline(image) : url(image);
    }

    private InlineImage inline(JsonNode image) throws InvalidRequestException {
        String data = Fields.text(image.get("data"), "image.data");
        JsonNode typeNode = image.get("mediaType");
        if (Fields.absent(typeNode)) {
            throw Fields.fail(ErrorCode.INVALID_IMAGE, "image.mediaType is required with image.data");
        }
        String mediaType = Fields.text(typeNode, "image.mediaType").trim().toLowerCase(Locale.ROOT);
        if (!limits.allowedMediaTypes().contains(mediaType)) {
            throw Fields.fail(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "image.mediaType "
                    + Fields.quote(mediaType) + " is not one of " + limits.allowedMediaTypes());
        }
        int length = Base64Payload.decodedLength(data, limits.maxInlineImageBytes(), "image.data");
        if (length == 0) {
            throw Fields.fail(ErrorCode.INVALID_IMAGE, "image.data is empty");
        }
        return new InlineImage(Base64Payload.decode(data, length), mediaType);
    }

    private UrlImage url(JsonNode image) throws InvalidRequestException {
        if (!Fields.absent(image.get("mediaType"))) {
            throw Fields.fail(ErrorCode.INVALID_IMAGE,
                    "image.mediaType goes with image.data only; a url's type comes from the fetch");
        }
        String text = Fields.text(image.get("url"), "image.url");
        if (text.length() > MAX_URL_CHARS) {
            throw invalidUrl(text, "longer than " + MAX_URL_CHARS + " chars");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalidUrl(text, e.getReason());
        }
        if (uri.getScheme() == null) {
            throw invalidUrl(text, "not an absolute URL");
        }
        if (uri.getPort() > 65535) {
            // java.net.URI takes any digits as a port; the HTTP client would throw on it later
            throw invalidUrl(text, "port " + uri.getPort() + " is above 65535");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw Fields.fail(ErrorCode.UNSUPPORTED_URL_SCHEME, "image.url scheme "
                    + Fields.quote(scheme) + " is not one of http, https, file");
        }
        if (scheme.equals("file")) {
            checkFile(uri, text);
        } else {
            checkHttp(uri, text);
        }
        return new UrlImage(uri);
    }

    private static void checkHttp(URI uri, String text) throws InvalidRequestException {
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalidUrl(text, "no host");
        }
        // user:password@host leaks credentials into logs and disguises the real host
        if (uri.getRawUserInfo() != null) {
            throw invalidUrl(text, "user info is not allowed");
        }
    }

    private static void checkFile(URI uri, String text) throws InvalidRequestException {
        if (uri.isOpaque() || uri.getPath() == null || !uri.getPath().startsWith("/")) {
            throw invalidUrl(text, "a file URL needs an absolute path (file:/dir/img.png)");
        }
        String authority = uri.getRawAuthority();
        if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
            throw invalidUrl(text, "a file URL must not name a host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalidUrl(text, "a file URL has no query or fragment");
        }
        // getPath() is percent-decoded, so %2e%2e and %2F..%2F are caught as well
        String path = uri.getPath();
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw invalidUrl(text, "NUL or backslash in the path");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw invalidUrl(text, "'..' segments are not allowed in a file URL");
            }
        }
    }

    private static InvalidRequestException invalidUrl(String text, String why) {
        return Fields.fail(ErrorCode.INVALID_URL,
                "image.url " + Fields.quote(text) + " is invalid: " + why);
    }
}
