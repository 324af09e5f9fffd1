package io.trolserve.model;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * What one pass of a decoder layer needs to know about its rows: their rotary rows, which of them
 * are image tokens (Plora), and how they split into sequences with K/V stores. Pass 1 covers every
 * row of the step; pass 2 covers the traversed rows only, renumbered from 0.
 *
 * @param cos       (R, 1, 1, d), broadcast over heads
 * @param sin       (R, 1, 1, d)
 * @param imageRows int64 indices of image-token rows among these R rows, or null if none
 * @param paged     the pass's batched attention plan when all its stores share one paged pool,
 *                  else null (each segment then attends through {@link KvStore#append})
 */
record PassRows(int numRows, Tensor cos, Tensor sin, Tensor imageRows, List<Segment> segments, PagedAttention paged) {

    /** A sequence's consecutive rows within this pass and the store its K/V go to. */
    record Segment(int rowOffset, int numRows, int startPosition, KvStore kv) {
    }

    /** Rows of pass 1 (every row) or pass 2 (only traversed sequences). */
    static PassRows build(ForwardBatch batch, boolean secondPass, int imageTokenId, RotaryTable rope,
                          Device device) {
        List<Segment> segments = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        List<Long> images = new ArrayList<>();
        int batchRow = 0;
        int passRow = 0;
        for (ForwardBatch.Sequence s : batch.sequences()) {
            if (!secondPass || s.traversed()) {
                segments.add(new Segment(passRow, s.numRows(), s.startPosition(), secondPass ? s.pass2() : s.pass1()));
                for (int i = 0; i < s.numRows(); i++) {
                    positions.add((long) s.startPosition() + i);
                    if (batch.tokenIds()[batchRow + i] == imageTokenId) {
                        images.add((long) passRow + i);
                    }
                }
                passRow += s.numRows();
            }
            batchRow += s.numRows();
        }
        Tensor pos = Ops.longs(toArray(positions), device);
        Tensor cos = rope.cosAt(pos).unsqueeze(1).unsqueeze(1);   // (R, 1, 1, d)
        Tensor sin = rope.sinAt(pos).unsqueeze(1).unsqueeze(1);   // (R, 1, 1, d)
        Tensor imageRows = images.isEmpty() ? null : Ops.longs(toArray(images), device);
        return new PassRows(passRow, cos, sin, imageRows, segments, PagedAttention.plan(segments, passRow, device));
    }

    /** Indices, among all rows of the batch, of the traversed rows (pass 2's rows, in order). */
    static long[] traversedRowIndices(ForwardBatch batch) {
        List<Long> rows = new ArrayList<>();
        int row = 0;
        for (ForwardBatch.Sequence s : batch.sequences()) {
            if (s.traversed()) {
                for (int i = 0; i < s.numRows(); i++) {
                    rows.add((long) row + i);
                }
            }
            row += s.numRows();
        }
        return toArray(rows);
    }

    private static long[] toArray(List<Long> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
