package io.trolserve.engine.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
     * @param imageHashes content hash of each image, in prompt order; the j-th run of
     *                    {@code imageTokensPerImage} image tokens is image j
     * @param pass        1 or 2, the traversal pass whose K/V the blocks hold
     * @return one key per full block, {@code tokenIds.length / blockSize} of them
     */
    public static BlockKey[] prefixKeys(int[] tokenIds, int imageTokenId, List<String> imageHashes,
                                        int imageTokensPerImage, int blockSize, int pass) {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(imageHashes, "imageHashes");
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive, got " + blockSize);
        }
        if (pass != 1 && pass != 2) {
            throw new IllegalArgumentException("pass must be 1 or 2, got " + pass);
        }
        if (imageTokensPerImage <= 0) {
            throw new IllegalArgumentException("imageTokensPerImage must be positive, got " + imageTokensPerImage);
        }
        int[] ordinal = imageOrdinals(tokenIds, imageTokenId, imageHashes.size(), imageTokensPerImage);
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
                if (ordinal[i] < 0) {
                    sha.update(TEXT);
                    putInt(sha, scratch, tokenIds[i]);
                } else {
                    byte[] image = images[ordinal[i] / imageTokensPerImage];
                    sha.update(IMAGE);
                    putInt(sha, scratch, image.length); // length prefix: hash strings cannot run together
                    sha.update(image);
                    putInt(sha, scratch, ordinal[i] % imageTokensPerImage);
                }
            }
            ByteBuffer digest = ByteBuffer.wrap(sha.digest()); // digest() also resets sha
            keys[k] = parent = new BlockKey(digest.getLong(), digest.getLong());
        }
        return keys;
    }

    /** Per position: -1 for text, else the index of this image token among all image tokens. */
    private static int[] imageOrdinals(int[] tokenIds, int imageTokenId, int numImages, int perImage) {
        int[] ordinal = new int[tokenIds.length];
        int seen = 0;
        for (int i = 0; i < tokenIds.length; i++) {
            if (tokenIds[i] != imageTokenId) {
                ordinal[i] = -1;
                continue;
            }
            // an image's tokens are one contiguous run (§3): a run cut short would misattribute
            // every later image position to the wrong image
            if (seen % perImage != 0 && tokenIds[i - 1] != imageTokenId) {
                throw new IllegalArgumentException("image " + seen / perImage + " is not one contiguous run of "
                        + perImage + " image tokens (interrupted before position " + i + ")");
            }
            ordinal[i] = seen++;
        }
        if (seen != (long) numImages * perImage) {
            throw new IllegalArgumentException("prompt holds " + seen + " image tokens, but " + numImages
                    + " image(s) x " + perImage + " tokens = " + (long) numImages * perImage);
        }
        return ordinal;
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
