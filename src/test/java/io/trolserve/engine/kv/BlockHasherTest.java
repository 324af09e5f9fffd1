package io.trolserve.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The key properties the prefix cache relies on, on prompts small enough to count blocks by hand. */
class BlockHasherTest {

    private static final int IMG = 99;  // the <image> token id
    private static final int PER = 6;   // image tokens per image
    private static final int B = 4;     // block size

    private static BlockKey[] keys(int[] tokens, List<String> images, int pass) {
        return BlockHasher.prefixKeys(tokens, IMG, images, PER, B, pass);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static int[] image() {
        return IntStream.generate(() -> IMG).limit(PER).toArray();
    }

    //   positions  0  1  2  3 | 4  5  6  7 | 8  9 10 11 | 12 13 14 15 | 16
    //   tokens     s  s  s  s | s  I  I  I | I  I  I  q | q  q  q  q  | q     (I = image, block 1 on)
    private static final int[] SYSTEM = {1, 2, 3, 4, 5};
    private static final int[] QUESTION = {7, 8, 9, 10, 11, 12};
    private static final int[] WITH_IMAGE = concat(SYSTEM, image(), QUESTION);

    @Test
    void promptsWithTheSameSystemPromptShareTheKeysOfTheirCommonFullBlocks() {
        int[] a = concat(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new int[] {20, 21, 22, 23, 24});
        int[] b = concat(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new int[] {30, 31, 32, 33, 34});
        BlockKey[] ka = keys(a, List.of(), 1);
        BlockKey[] kb = keys(b, List.of(), 1);
        assertThat(ka).hasSize(3);
        assertThat(kb[0]).isEqualTo(ka[0]);
        assertThat(kb[1]).isEqualTo(ka[1]);
        assertThat(kb[2]).isNotEqualTo(ka[2]);                          // positions 8..11 diverge at 10
    }

    @Test
    void aKeyCommitsToTheWholePrefixNotJustItsOwnBlock() {
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] b = {1, 9, 3, 4, 5, 6, 7, 8};                             // same block 1, different block 0
        assertThat(keys(a, List.of(), 1)).doesNotContainAnyElementsOf(Arrays.asList(keys(b, List.of(), 1)));
    }

    @Test
    void differentImagesWithIdenticalTokenIdsShareNoKeyFromTheFirstImageBlockOn() {
        BlockKey[] cat = keys(WITH_IMAGE, List.of("sha256:cat"), 1);
        BlockKey[] dog = keys(WITH_IMAGE, List.of("sha256:dog"), 1);
        assertThat(cat).hasSize(4);
        assertThat(dog[0]).isEqualTo(cat[0]);                           // text only
        assertThat(Arrays.copyOfRange(dog, 1, 4))
                .doesNotContainAnyElementsOf(Arrays.asList(cat));
    }

    @Test
    void swappingTwoImagesChangesTheKeysFromTheFirstImageBlockOn() {
        int[] two = concat(SYSTEM, image(), new int[] {13}, image(), QUESTION); // 24 tokens, 6 blocks
        BlockKey[] ab = keys(two, List.of("a", "b"), 1);
        BlockKey[] ba = keys(two, List.of("b", "a"), 1);
        assertThat(ba[0]).isEqualTo(ab[0]);
        assertThat(Arrays.copyOfRange(ba, 1, ba.length)).doesNotContainAnyElementsOf(Arrays.asList(ab));
    }

    @Test
    void theSameImageGivesTheSameKeysAllTheWay() {
        BlockKey[] first = keys(WITH_IMAGE, List.of("sha256:cat"), 1);
        BlockKey[] again = keys(WITH_IMAGE.clone(), List.of(new String("sha256:cat")), 1);
        assertThat(again).containsExactly(first);
    }

    @Test
    void thePassChangesEveryKey() {
        BlockKey[] pass1 = keys(WITH_IMAGE, List.of("sha256:cat"), 1);
        BlockKey[] pass2 = keys(WITH_IMAGE, List.of("sha256:cat"), 2);
        assertThat(pass2).hasSameSizeAs(pass1).doesNotContainAnyElementsOf(Arrays.asList(pass1));
    }

    @Test
    void aPartialLastBlockHasNoKeyAndExtendingAPromptKeepsItsEarlierKeys() {
        int[] ten = IntStream.range(0, 10).toArray();
        assertThat(keys(ten, List.of(), 1)).hasSize(2);
        assertThat(keys(Arrays.copyOf(ten, 8), List.of(), 1)).containsExactly(keys(ten, List.of(), 1));
        assertThat(keys(Arrays.copyOf(ten, 3), List.of(), 1)).isEmpty();
        assertThat(keys(new int[0], List.of(), 1)).isEmpty();
    }

    @Test
    void anImagePositionNeverKeysLikeATextToken() {
        // same ids, but one call declares 99 the image token: the image positions must key differently
        int[] tokens = concat(new int[] {1, 2}, image());
        BlockKey[] asImage = keys(tokens, List.of("x"), 1);
        BlockKey[] asText = BlockHasher.prefixKeys(tokens, -1, List.of(), PER, B, 1);
        assertThat(asImage[0]).isNotEqualTo(asText[0]);
    }

    @Test
    void inconsistentInputsAreRejected() {
        assertThatThrownBy(() -> keys(WITH_IMAGE, List.of(), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 image tokens");
        assertThatThrownBy(() -> keys(WITH_IMAGE, List.of("a", "b"), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BlockHasher.prefixKeys(WITH_IMAGE, IMG, List.of("a"), PER, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockSize");
        assertThatThrownBy(() -> BlockHasher.prefixKeys(WITH_IMAGE, IMG, List.of("a"), 0, B, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys(WITH_IMAGE, List.of("a"), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys(WITH_IMAGE, List.of(""), 1)).isInstanceOf(IllegalArgumentException.class);
        int[] split = concat(new int[] {IMG, IMG, IMG, 5}, new int[] {IMG, IMG, IMG}); // one image cut in two
        assertThatThrownBy(() -> keys(split, List.of("a"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contiguous");
    }

    //   positions  0  1  2  3 | 4  5  6  7 | 8  9 10 11 | 12
    //   tokens     s  I  I  I | J  J  J  J | J  q  q  q | q     (I: image 0, 3 tokens; J: image 1, 5 tokens)
    private static BlockKey[] runs(int[] counts, List<String> images) {
        int[] tokens = concat(new int[] {1}, IntStream.generate(() -> IMG).limit(8).toArray(), new int[] {7, 8, 9, 10});
        return BlockHasher.prefixKeys(tokens, IMG, images, counts, B, 1);
    }

    @Test
    void eachImageOwnsItsOwnRunLengthWhenRunsDiffer() {
        BlockKey[] ab = runs(new int[] {3, 5}, List.of("a", "b"));
        assertThat(ab).hasSize(3);
        // the same tokens split 5 + 3: positions 4..7 move from image b to image a, block 0 stays
        BlockKey[] split = runs(new int[] {5, 3}, List.of("a", "b"));
        assertThat(split[0]).isEqualTo(ab[0]);
        assertThat(split[1]).isNotEqualTo(ab[1]);
        // another second image: block 0 holds only image a's tokens, so only it is shared
        BlockKey[] ac = runs(new int[] {3, 5}, List.of("a", "c"));
        assertThat(ac[0]).isEqualTo(ab[0]);
        assertThat(ac[1]).isNotEqualTo(ab[1]);
        assertThat(runs(new int[] {3, 5}, List.of("a", "b"))).containsExactly(ab);
    }

    @Test
    void equalRunsGiveTheKeysOfTheConstantCount() {
        BlockKey[] constant = keys(concat(SYSTEM, image(), image(), QUESTION), List.of("a", "b"), 2);
        BlockKey[] perImage = BlockHasher.prefixKeys(concat(SYSTEM, image(), image(), QUESTION), IMG, List.of("a", "b"),
                new int[] {PER, PER}, B, 2);
        assertThat(perImage).containsExactly(constant);
    }

    @Test
    void runsThatDoNotAddUpOrCountsThatDoNotMatchTheImagesAreRejected() {
        assertThatThrownBy(() -> runs(new int[] {3, 4}, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 image tokens");
        assertThatThrownBy(() -> runs(new int[] {8}, List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> runs(new int[] {8, 0}, List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class);
        int[] cut = concat(new int[] {1}, IntStream.generate(() -> IMG).limit(2).toArray(), new int[] {7},
                IntStream.generate(() -> IMG).limit(6).toArray());
        assertThatThrownBy(() -> BlockHasher.prefixKeys(cut, IMG, List.of("a", "b"), new int[] {3, 5}, B, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image 0 is not one contiguous run of 3");
    }
}
