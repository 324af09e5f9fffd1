package io.trolserve.tiny;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Emits protocol 2 pickle opcodes, choosing each integer's opcode the way CPython's pickler does. No
 * memo: repeated globals and strings are written again, which any unpickler accepts.
 */
public final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleWriter() {
        out.write(0x80); // PROTO 2
        out.write(2);
    }

    public PickleWriter global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** Closes the tuple opened by {@link #mark()}. */
    public PickleWriter tupleFromMark() {
        out.write('t');
        return this;
    }

    public PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    /** A tuple of ints: EMPTY_TUPLE, TUPLE1..3, or MARK ... TUPLE. */
    public PickleWriter intTuple(long[] values) {
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

    public PickleWriter string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        writeLittleEndian(utf8.length, 4);
        out.writeBytes(utf8);
        return this;
    }

    public PickleWriter integer(long value) {
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

    public PickleWriter bool(boolean value) {
        out.write(value ? 0x88 : 0x89);
        return this;
    }

    public PickleWriter reduce() {
        out.write('R');
        return this;
    }

    public PickleWriter persistentId() {
        out.write('Q'); // BINPERSID: the tuple on the stack names a storage record
        return this;
    }

    public PickleWriter setItems() {
        out.write('u');
        return this;
    }

    public byte[] stop() {
        out.write('.');
        return out.toByteArray();
    }

    private void writeLittleEndian(long value, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
