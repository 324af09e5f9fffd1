package io.trolserve.vision;

import java.awt.image.IndexColorModel;

/**
 * A colour table as PIL applies it in {@code convert("RGB")} from mode "P": PIL's palette has 256
 * entries, the file's colours first and a grey ramp after them, so an index past the end of a short
 * table gives (i, i, i) rather than an error (checked with Pillow 9.4 on PNG).
 */
final class Palette {

    private final byte[] rgb; // (n, 3)

    private Palette(byte[] rgb) {
        this.rgb = rgb;
    }

    /** From packed RGB triples as PNG's PLTE and GIF's colour tables store them. */
    static Palette ofTriples(byte[] triples) {
        return new Palette(triples.clone());
    }

    /** No table at all: PIL reads such a GIF as mode "L", the index is the grey level. */
    static Palette greyRamp() {
        return new Palette(new byte[0]);
    }

    static Palette of(IndexColorModel cm) {
        int n = cm.getMapSize();
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        cm.getReds(r);
        cm.getGreens(g);
        cm.getBlues(b);
        byte[] triples = new byte[3 * n];
        for (int i = 0; i < n; i++) {
            triples[3 * i] = r[i];
            triples[3 * i + 1] = g[i];
            triples[3 * i + 2] = b[i];
        }
        return new Palette(triples);
    }

    int size() {
        return rgb.length / 3;
    }

    void write(int index, byte[] out, int offset) {
        if (3 * index + 2 < rgb.length) {
            out[offset] = rgb[3 * index];
            out[offset + 1] = rgb[3 * index + 1];
            out[offset + 2] = rgb[3 * index + 2];
        } else {
            byte grey = (byte) index;
            out[offset] = grey;
            out[offset + 1] = grey;
            out[offset + 2] = grey;
        }
    }
}
