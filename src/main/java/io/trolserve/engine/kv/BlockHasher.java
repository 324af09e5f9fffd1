package io.trolserve.engine.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Prefix-cache keys of a prompt's full KV blocks (TROL_SPEC §3 image tokens, §5 traversal).
 *
 * <pre>
 *   positions   [0 ..... B-1] [B ..... 2B-1] [2B .. T-1]   T = tokenIds.length
 *   keys        k0            k1             (partial: no key, its content is not final)
 *   k0 = SHA256(ROOT, pass, pos 0..B-1)[0..16)
 *   k1 = SHA256(k0,   pass, pos B..2B-1)[0..16)
 * </pre>
 *
 * Why the parent key: a position's K/V depends on every earlier position, so a block is only
 * reusable under the same whole prefix. Why the pass: while a prompt is prefilled each position
 * has pass-1 and pass-2 K/V (§5), which may sit in one pool and must never be confused. Why the
 * image identity: every image position carries the same {@code <image>} id, yet its K/V comes from
 * that image's features; keying by token id alone would share K/V between different images.
 *
 * <p>Only prompt (traversed) positions may be keyed: a decoded token's K/V comes from an
 * untraversed forward and differs from the K/V of the same token inside a prompt.
 */
public final class BlockHasher {

    /** Parent of block 0 ("trol-kv\0" "root\0\0\0\0"); any fixed value works, it only has to be fixed. */
    static final BlockKey ROOT = new BlockKey(0x74726f6c2d6b7600L, 0x726f6f7400000000L);
    // A tag before each position keeps a text id and an image position from ever encoding alike.
    private static final byte TEXT = 0;
    private static final byte IMAGE = 1;

    private BlockHasher() {
    }

    /**
     * For a model whose every image gives the same run of {@code imageTokensPerImage} tokens.
     *
     * @param imageHashes content hash of each image, in prompt order; the j-th run of
     *                    {@code imageTokensPerImage} image tokens is image j
     * @param pass        1 or 2, the traversal pass whose K/V the blocks hold
     * @return one key per full block, {@code tokenIds.length / blockSize} of them
     */
    public static BlockKey[] prefixKeys(int[] tokenIds, int imageTokenId, List<String> imageHashes,
                                        int imageTokensPerImage, int blockSize, int pass) {
        Objects.requireNonNull(imageHashes, "imageHashes");
        if (imageTokensPerImage <= 0) {
            throw new IllegalArgumentException("imageTokensPerImage must be positive, got " + imageTokensPerImage);
        }
        int[] counts = new int[imageHashes.size()];
        Arrays.fill(counts, imageTokensPerImage);
        return prefixKeys(tokenIds, imageTokenId, imageHashes, counts, blockSize, pass);
    }

    /**
     * @param imageHashes      content hash of each image, in prompt order
     * @param imageTokenCounts each image's run length (TroL-3.8B: 256 per tile, so it varies by
     *                         image); the j-th run of image tokens, this long, is image j
     * @param pass             1 or 2, the traversal pass whose K/V the blocks hold
     * @return one key per full block, {@code tokenIds.length / blockSize} of them
     */
    public static BlockKey[] prefixKeys(int[] tokenIds, int imageTokenId, List<String> imageHashes,
                                        int[] imageTokenCounts, int blockSize, int pass) {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(imageHashes, "imageHashes");
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive, got " + blockSize);
        }
        if (pass != 1 && pass != 2) {
            throw new IllegalArgumentException("pass must be 1 or 2, got " + pass);
        }
        if (imageTokenCounts.length != imageHashes.size()) {
            throw new IllegalArgumentException(imageHashes.size() + " image hashes but " + imageTokenCounts.length
                    + " image token counts");
        }
        for (int count : imageTokenCounts) {
            if (count <= 0) {
                throw new IllegalArgumentException("image token counts must be positive, got " + count);
            }
        }
        int[] image = new int[tokenIds.length];
        int[] offset = new int[tokenIds.length];
        imagePositions(tokenIds, imageTokenId, imageTokenCounts, image, offset);
        byte[][] images = utf8(imageHashes);

        MessageDigest sha = sha256();
        ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES);
        BlockKey[] keys = new BlockKey[tokenIds.length / blockSize];
        BlockKey parent = ROOT;
        for (int k = 0; k < keys.length; k++) {
            putLong(sha, scratch, parent.high());
            putLong(sha, scratch, parent.low());
            putInt(sha, scratch, pass);
            for (int i = k * blockSize; i < (k + 1) * blockSize; i++) {
                if (image[i] < 0) {
                    sha.update(TEXT);
                    putInt(sha, scratch, tokenIds[i]);
                } else {
                    byte[] hash = images[image[i]];
                    sha.update(IMAGE);
                    putInt(sha, scratch, hash.length); // length prefix: hash strings cannot run together
                    sha.update(hash);
                    putInt(sha, scratch, offset[i]);
                }
            }
            ByteBuffer digest = ByteBuffer.wrap(sha.digest()); // digest() also resets sha
            keys[k] = parent = new BlockKey(digest.getLong(), digest.getLong());
        }
        return keys;
    }

    /**
     * Per position: {@code image[i]} -1 for text, else which image the token belongs to, and
     * {@code offset[i]} its place within that image's run.
     */
    private static void imagePositions(int[] tokenIds, int imageTokenId, int[] counts, int[] image, int[] offset) {
        int seen = 0;
        long total = 0;
        for (int count : counts) {
            total += count;
        }
        int j = 0;       // the image the next image token belongs to
        int inRun = 0;   // tokens of image j seen so far
        for (int i = 0; i < tokenIds.length; i++) {
            if (tokenIds[i] != imageTokenId) {
                image[i] = -1;
                continue;
            }
            // an image's tokens are one contiguous run (§3): a run cut short would misattribute
            // every later image position to the wrong image
            if (inRun != 0 && tokenIds[i - 1] != imageTokenId) {
                throw new IllegalArgumentException("image " + j + " is not one contiguous run of "
                        + counts[j] + " image tokens (interrupted before position " + i + ")");
            }
            if (j < counts.length) {
                image[i] = j;
                offset[i] = inRun++;
                if (inRun == counts[j]) {
                    j++;
                    inRun = 0;
                }
            }
            seen++;
        }
        if (seen != total) {
            throw new IllegalArgumentException("prompt holds " + seen + " image tokens, but " + counts.length
                    + " image(s) give " + total + " tokens " + Arrays.toString(counts));
        }
    }

    private static byte[][] utf8(List<String> imageHashes) {
        byte[][] bytes = new byte[imageHashes.size()][];
        for (int j = 0; j < bytes.length; j++) {
            String hash = imageHashes.get(j);
            if (hash == null || hash.isEmpty()) {
                throw new IllegalArgumentException("imageHashes[" + j + "] is null or empty");
            }
            bytes[j] = hash.getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    private static void putLong(MessageDigest sha, ByteBuffer scratch, long v) {
        sha.update(scratch.clear().putLong(v).array(), 0, Long.BYTES);
    }

    private static void putInt(MessageDigest sha, ByteBuffer scratch, int v) {
        sha.update(scratch.clear().putInt(v).array(), 0, Integer.BYTES);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
