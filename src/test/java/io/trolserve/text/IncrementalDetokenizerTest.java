package io.trolserve.text;

import static io.trolserve.text.TinyTokenizerFixture.byteId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IncrementalDetokenizerTest {

    @TempDir
    static Path dir;

    private static TrolTokenizer tok;

    @BeforeAll
    static void load() {
        tok = TinyTokenizerFixture.load(dir);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private static List<String> stream(int[] ids) {
        IncrementalDetokenizer detok = new IncrementalDetokenizer(tok);
        List<String> deltas = new ArrayList<>();
        for (int id : ids) {
            deltas.add(detok.next(id));
        }
        deltas.add(detok.flush());
        return deltas;
    }

    @Test
    void anEmojiSplitIntoFourByteTokensComesOutWhole() {
        // 🚀 is F0 9F 9A 80 in UTF-8
        int[] ids = {byteId(0xF0), byteId(0x9F), byteId(0x9A), byteId(0x80)};

        assertThat(stream(ids)).containsExactly("", "", "", "🚀", "");
    }

    @Test
    void cjkBetweenWordsIsHeldBackOnlyWhileIncomplete() {
        int[] hi = tok.encode("Hi ");
        int[] ids = new int[hi.length + 3];
        System.arraycopy(hi, 0, ids, 0, hi.length);
        ids[hi.length] = byteId(0xE6); // 東 = E6 9D B1
        ids[hi.length + 1] = byteId(0x9D);
        ids[hi.length + 2] = byteId(0xB1);

        List<String> deltas = stream(ids);

        assertThat(String.join("", deltas.subList(0, hi.length))).isEqualTo("Hi ");
        assertThat(deltas.subList(hi.length, deltas.size())).containsExactly("", "", "東", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "café — 東京 🚀 done", "What is the troll doing? 👩‍👩‍👧 ẞ\nnew line", "日本語のテキスト"
    })
    void deltasConcatenateToTheFullDecodeAndNeverShowAHalfCharacter(String text) {
        int[] ids = tok.encode(text);
        assertThat(Arrays.stream(ids).anyMatch(id -> id >= 3 && id <= 258))
                .as("the text exercises byte fallback").isTrue();

        List<String> deltas = stream(ids);

        assertThat(String.join("", deltas)).isEqualTo(tok.decode(ids)).isEqualTo(text);
        assertThat(deltas).noneMatch(d -> d.indexOf('\uFFFD') >= 0);
    }

    @Test
    void specialTokensStreamAsTheirText() {
        int[] ids = tok.encode("<s>ok[UNUSED_TOKEN_145]");

        assertThat(String.join("", stream(ids))).isEqualTo("<s>ok[UNUSED_TOKEN_145]");
    }

    @Test
    void aStreamCutInsideACharacterFlushesWhatDecodeShows() {
        int[] ids = {tok.encode("a")[0], byteId(0xF0), byteId(0x9F)};

        List<String> deltas = stream(ids);

        assertThat(deltas).containsExactly("a", "", "", "\uFFFD\uFFFD");
        assertThat(String.join("", deltas)).isEqualTo(tok.decode(ids));
    }

    @Test
    void aByteThatCanNeverCompleteIsShownOnceTheNextCharacterArrives() {
        int[] ids = {byteId(0xE2), tok.encode("a")[0]};

        List<String> deltas = stream(ids);

        assertThat(deltas).containsExactly("", "\uFFFDa", "");
        assertThat(String.join("", deltas)).isEqualTo(tok.decode(ids));
    }
}
