package io.trolserve.model.checkpoint;

import static io.trolserve.model.checkpoint.TorchSaveFixturesTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.trolserve.tiny.PickleWriter;

/** The pickle VM against pickles written by CPython, and against hostile opcode streams. */
class PickleMachineTest {

    private static final List<Long> INTS = List.of(0L, 1L, 255L, 256L, 65535L, 65536L, -1L, -256L,
            (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE, 1L << 31, -(1L << 31) - 1, Long.MAX_VALUE,
            Long.MIN_VALUE);

    private static Object run(byte[] pickle) {
        return new PickleMachine(pickle, new TorchGlobals()).run();
    }

    @Test
    void readsCPythonProtocol2And4() throws IOException {
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("a", null);
        dict.put("b", true);
        dict.put("c", false);
        List<Object> common = Arrays.asList(INTS, 1.5, -0.0, "h\u00e9llo", List.of(1L, List.of(2L)), dict, List.of());

        List<?> p2 = (List<?>) run(Files.readAllBytes(fixture("values_protocol2.pkl")));
        List<?> p4 = (List<?>) run(Files.readAllBytes(fixture("values_protocol4.pkl")));

        assertThat(p2).isEqualTo(common);
        assertThat(p4.subList(0, common.size())).isEqualTo(common);
        assertThat((byte[]) p4.get(common.size())).containsExactly('x', 'y');
    }

    @Test
    void javaWrittenIntegersReadBack() {
        long[] values = INTS.stream().mapToLong(Long::longValue).toArray();

        assertThat(run(new PickleWriter().intTuple(values).stop())).isEqualTo(INTS);
    }

    @Test
    void refusesHostileStreams() {
        assertRefused(new byte[] {(byte) 0x80, 2}, "truncated");
        assertRefused(new byte[] {(byte) 0x80, 2, '.'}, "stack underflow");
        assertRefused(new byte[] {'h', 7, '.'}, "memo slot 7");
        assertRefused(new byte[] {'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', '.'}, "truncated");
        assertRefused(new byte[] {(byte) 0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, '.'}, "does not fit a long");
        assertRefused(new byte[] {'(', 'K', 1, ')', 'R', '.'}, "not callable"); // calls the int 1
        assertRefused(new byte[] {'(', '}', '(', 's', '.'}, "stack underflow"); // SETITEM reaching under a MARK
        // a list that contains itself, then used as a dict key: refused instead of hashed forever
        assertRefused(new byte[] {'}', ']', '2', 'a', 'K', 1, 's', '.'}, "dict key of type list");
    }

    @Test
    void stateDictMetadataBuildIsIgnoredButOtherBuildsAreNot() {
        byte[] withMetadata = new PickleWriter().global("collections", "OrderedDict").emptyTuple().reduce()
                .mark().string("0.weight").integer(1).setItems().stop();
        byte[] build = Arrays.copyOf(withMetadata, withMetadata.length + 3);
        System.arraycopy(new byte[] {'}', 'b', '.'}, 0, build, withMetadata.length - 1, 3); // BUILD with {}

        assertThat(run(build)).isEqualTo(Map.of("0.weight", 1L));
        assertRefused(new byte[] {']', '}', 'b', '.'}, "BUILD on list");
    }

    private static void assertRefused(byte[] pickle, String message) {
        assertThatThrownBy(() -> run(pickle)).isInstanceOf(PickleException.class).hasMessageContaining(message);
    }
}
