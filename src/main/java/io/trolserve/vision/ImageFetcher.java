package io.trolserve.vision;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads the bytes behind an image URL, within a policy: {@code file:} only under a root (or
 * anywhere, for a local tool run by the file's owner), {@code http(s):} only to allow-listed hosts,
 * with connect and read time limits, no redirects, and a size limit enforced while reading.
 */
public final class ImageFetcher {

    public static final String NOT_ALLOWED = "url-not-allowed";
    public static final String TOO_LARGE = "image-too-large";
    public static final String FAILED = "image-fetch-failed";

    /**
     * @param fileRoot  files may be read only below this directory; empty means no files at all,
     *                  unless {@code anyFile}
     * @param httpHosts host names http(s) URLs may point at (exact, case-insensitive)
     */
    public record Policy(Optional<Path> fileRoot, boolean anyFile, Set<String> httpHosts, Duration connectTimeout,
                         Duration readTimeout, long maxBytes) {

        /** For the command line: its user may read any file they can; nothing over the network. */
        public static Policy localTool(long maxBytes) {
            return new Policy(Optional.empty(), true, Set.of(), Duration.ofSeconds(5), Duration.ofSeconds(30), maxBytes);
        }
    }

    private final Policy policy;
    private final HttpClient http;

    public ImageFetcher(Policy policy) {
        this.policy = policy;
        this.http = HttpClient.newBuilder().connectTimeout(policy.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public byte[] fetch(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> readFile(url);
            case "http", "https" -> download(url);
            default -> throw new ImageFetchException(NOT_ALLOWED, "scheme '" + scheme + "' is not allowed for images");
        };
    }

    private byte[] readFile(URI url) {
        Path path;
        try {
            path = Path.of(url).normalize();
        } catch (IllegalArgumentException e) {
            throw new ImageFetchException(NOT_ALLOWED, "not a usable file URL: " + url);
        }
        if (!policy.anyFile()) {
            checkUnderRoot(path);
        }
        try {
            long size = Files.size(path);
            if (size > policy.maxBytes()) {
                throw new ImageFetchException(TOO_LARGE, url + " holds " + size + " bytes, more than " + policy.maxBytes());
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ImageFetchException(FAILED, "cannot read " + path + ": " + e.getMessage());
        }
    }

    /** The real path (links resolved) must lie under the real root: no "..", no link out of it. */
    private void checkUnderRoot(Path path) {
        Path root = policy.fileRoot().orElseThrow(() ->
                new ImageFetchException(NOT_ALLOWED, "file: URLs are not allowed here (no image file root is configured)"));
        try {
            if (!path.toRealPath().startsWith(root.toRealPath())) {
                throw new ImageFetchException(NOT_ALLOWED, path + " is outside the image file root " + root);
            }
        } catch (IOException e) {
            throw new ImageFetchException(FAILED, "cannot read " + path + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // already failing or finished: nothing to add
        }
    }

    private byte[] download(URI url) {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        if (policy.httpHosts().stream().noneMatch(h -> h.equalsIgnoreCase(host))) {
            throw new ImageFetchException(NOT_ALLOWED, "host '" + host + "' is not on the image host allow-list");
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(url).timeout(policy.readTimeout()).GET().build();
        } catch (IllegalArgumentException e) {
            // java.net.URI accepts what the HTTP client refuses (a port above 65535, odd schemes)
            throw new ImageFetchException(NOT_ALLOWED, "not a usable http(s) URL: " + e.getMessage());
        }
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ImageFetchException(FAILED, url + " answered HTTP " + response.statusCode());
                }
                long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > policy.maxBytes()) {
                    throw new ImageFetchException(TOO_LARGE, url + " declares " + declared + " bytes, more than " + policy.maxBytes());
                }
                // the request timeout ends at the headers; a body that trickles is cut off by closing it
                CompletableFuture.delayedExecutor(policy.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> closeQuietly(body));
                byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, policy.maxBytes() + 1));
                if (bytes.length > policy.maxBytes()) {
                    throw new ImageFetchException(TOO_LARGE, url + " sends more than " + policy.maxBytes() + " bytes");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new ImageFetchException(FAILED, "cannot fetch " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageFetchException(FAILED, "interrupted while fetching " + url);
        }
    }
}
