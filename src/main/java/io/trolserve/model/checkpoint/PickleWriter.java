package io.trolserve.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Emits protocol 2 pickle opcodes, choosing each integer's opcode the way CPython's pickler does. No
 * memo: repeated globals and strings are written again, which any unpickler accepts.
 */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter() {
        out.write(0x80); // PROTO 2
        out.write(2);
    }

    PickleWriter global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** Closes the tuple opened by {@link #mark()}. */
    PickleWriter tupleFromMark() {
        out.write('t');
        return this;
    }

    PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    /** A tuple of ints: EMPTY_TUPLE, TUPLE1..3, or MARK ... TUPLE. */
    PickleWriter intTuple(long[] values) {
        if (values.length == 0) {
            return emptyTuple();
        }
        if (values.length > 3) {
            mark();
        }
        for (long value : values) {
            integer(value);
        }
        out.write(values.length > 3 ? 't' : 0x84 + values.length);
        return this;
    }

    PickleWriter string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        writeLittleEndian(utf8.length, 4);
        out.writeBytes(utf8);
        return this;
    }

    PickleWriter integer(long value) {
        if (value >= 0 && value < 0x100) {
            out.write('K');
            out.write((int) value);
        } else if (value >= 0 && value < 0x10000) {
            out.write('M');
            writeLittleEndian(value, 2);
        } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            out.write('J');
            writeLittleEndian(value, 4);
        } else {
            out.write(0x8a); // LONG1, 8 bytes of two's complement always suffice for a long
            out.write(8);
            writeLittleEndian(value, 8);
        }
        return this;
    }

    PickleWriter bool(boolean value) {
        out.write(value ? 0x88 : 0x89);
        return this;
    }

    PickleWriter reduce() {
        out.write('R');
        return this;
    }

    PickleWriter persistentId() {
        out.write('Q'); // BINPERSID: the tuple on the stack names a storage record
        return this;
    }

    PickleWriter setItems() {
        out.write('u');
        return this;
    }

    byte[] stop() {
        out.write('.');
        return out.toByteArray();
    }

    private void writeLittleEndian(long value, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
