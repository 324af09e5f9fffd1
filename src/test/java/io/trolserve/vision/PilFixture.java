package io.trolserve.vision;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One case written by {@code src/test/resources/vision/make_fixtures.py}: an encoded image and the
 * RGB bytes PIL's {@code convert("RGB")} gave for it.
 */
record PilFixture(String name, String file, String pilMode, int width, int height) {

    static final String DIR = "/vision/fixtures/";

    static List<PilFixture> all() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open("manifest.tsv"), StandardCharsets.UTF_8))) {
            return r.lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.split("\t"))
                    .map(f -> new PilFixture(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4])))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] encoded() {
        return read(file);
    }

    /** (H, W, 3) as PIL produced it. */
    byte[] pilRgb() {
        return read(name + ".rgb");
    }

    boolean isJpeg() {
        return file.endsWith(".jpg");
    }

    @Override
    public String toString() {
        return name + " (PIL mode " + pilMode + ")";
    }

    private static byte[] read(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = PilFixture.class.getResourceAsStream(DIR + resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + DIR + resource);
        }
        return in;
    }
}
