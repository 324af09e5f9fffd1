package io.trolserve.tiny;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A zip of uncompressed (STORED) records whose data starts on 64-byte boundaries, as PyTorch's
 * {@code PyTorchStreamWriter} lays it out so that storages can be memory-mapped in place. The padding
 * goes into each local header's extra field, id "FB", filled with 'Z' — the same bytes torch writes.
 * No ZIP64: this writer is for small files and refuses anything near 4 GiB.
 *
 * <pre>
 * local header (30) | name | "FB" len16 'Z'... | data (offset % 64 == 0) | ... | central directory | end record
 * </pre>
 */
final class StoredZipWriter implements Closeable {

    static final int ALIGNMENT = 64;
    private static final int LOCAL_HEADER = 30;
    private static final int FLAG_UTF8_NAMES = 0x0800;
    private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1; // fixed, so equal inputs give equal files

    private final OutputStream out;
    private final ByteArrayOutputStream centralDirectory = new ByteArrayOutputStream();
    private long position;
    private int entries;

    StoredZipWriter(OutputStream out) {
        this.out = out;
    }

    void add(String name, byte[] data) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int beforeData = LOCAL_HEADER + nameBytes.length + 4;
        int padding = (int) ((ALIGNMENT - (position + beforeData) % ALIGNMENT) % ALIGNMENT);
        if (position + beforeData + padding + data.length >= 0xffffffffL || entries == 0xffff) {
            throw new IOException("zip too large for this writer (no ZIP64 support)");
        }
        CRC32 crc = new CRC32();
        crc.update(data);

        ByteBuffer local = header(LOCAL_HEADER + nameBytes.length + 4 + padding);
        local.putInt(0x04034b50).putShort((short) 20).putShort((short) FLAG_UTF8_NAMES).putShort((short) 0);
        local.putShort((short) 0).putShort((short) DOS_DATE_1980_01_01);
        local.putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
        local.putShort((short) nameBytes.length).putShort((short) (4 + padding)).put(nameBytes);
        local.put((byte) 'F').put((byte) 'B').putShort((short) padding);
        for (int i = 0; i < padding; i++) {
            local.put((byte) 'Z');
        }
        out.write(local.array());
        out.write(data);

        ByteBuffer central = header(46 + nameBytes.length);
        central.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) FLAG_UTF8_NAMES);
        central.putShort((short) 0).putShort((short) 0).putShort((short) DOS_DATE_1980_01_01);
        central.putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
        central.putShort((short) nameBytes.length).putShort((short) 0).putShort((short) 0);
        central.putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) position).put(nameBytes);
        centralDirectory.writeBytes(central.array());

        position += local.capacity() + data.length;
        entries++;
    }

    /** Writes the central directory and the end record; the stream stays open for the caller. */
    void finish() throws IOException {
        byte[] directory = centralDirectory.toByteArray();
        if (position + directory.length >= 0xffffffffL) {
            throw new IOException("zip too large for this writer (no ZIP64 support)");
        }
        ByteBuffer end = header(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
        end.putShort((short) entries).putShort((short) entries);
        end.putInt(directory.length).putInt((int) position).putShort((short) 0);
        out.write(directory);
        out.write(end.array());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static ByteBuffer header(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
