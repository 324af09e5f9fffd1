package io.trolserve.model;

import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * One model step over a flattened batch: the new tokens of several sequences laid end to end as
 * rows (TROL_SPEC §5). A sequence's rows are either one decode token or a chunk of its prompt; a
 * prompt chunk is traversed (two passes and the gate), a decode token is not.
 *
 * <pre>
 * rows:   | seq A: prompt chunk (traversed) | seq B: 1 decode token | seq C: 1 decode token |
 * pass 1: |<-------------------------------- all rows --------------------------------->|
 * pass 2: |<-------- seq A rows ----------->|
 * </pre>
 *
 * @param tokenIds        one id per row; rows whose id is the image token take, in order, the
 *                        rows of {@code imageEmbeddings}
 * @param sequences       consecutive row ranges, in row order
 * @param imageEmbeddings (number of image-token rows, H) projected image features, or null
 * @param logitRows       the rows whose next-token logits the caller wants (usually each
 *                        sequence's last row)
 */
public record ForwardBatch(int[] tokenIds, List<Sequence> sequences, Tensor imageEmbeddings, int[] logitRows) {

    /**
     * @param numRows       rows of this sequence in the batch
     * @param startPosition absolute position of its first row (tokens already in its KV cache)
     * @param traversed     true for a prompt chunk (even a single token), false for a decode token
     * @param pass1         its permanent K/V store (pass-1 keys and values)
     * @param pass2         the temporary pass-2 store kept while its prompt is prefilled; null
     *                      when not traversed
     */
    public record Sequence(int numRows, int startPosition, boolean traversed, KvStore pass1, KvStore pass2) {

        public Sequence {
            if (numRows <= 0) {
                throw new IllegalArgumentException("a sequence contributes at least one row");
            }
            if (traversed && pass2 == null) {
                throw new IllegalArgumentException("a traversed chunk needs its pass-2 K/V store");
            }
        }
    }

    public ForwardBatch {
        int rows = 0;
        for (Sequence s : sequences) {
            rows += s.numRows();
        }
        if (rows != tokenIds.length) {
            throw new IllegalArgumentException("sequences cover " + rows + " rows but " + tokenIds.length + " tokens were given");
        }
    }

    public int numRows() {
        return tokenIds.length;
    }
}
