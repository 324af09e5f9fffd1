package io.trolserve.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes a {@code .safetensors} file tensor by tensor, so that a checkpoint larger than the heap
 * can be produced: the header (with every offset) is computed first from the declared shapes, then
 * each tensor's bytes are requested and streamed in declaration order.
 */
public final class SafetensorsWriter {

    /** A tensor to be written: its bytes come from the {@link TensorBytes} callback. */
    public record Declared(String name, DType dtype, long[] shape) {

        long byteLength() {
            long n = dtype.byteSize();
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Supplies one tensor's little-endian bytes, exactly {@code byteLength} of them. */
    @FunctionalInterface
    public interface TensorBytes {
        ByteBuffer bytes(Declared tensor) throws IOException;
    }

    private SafetensorsWriter() {
    }

    public static void write(Path file, List<Declared> tensors, Map<String, String> metadata, TensorBytes source)
            throws IOException {
        byte[] header = header(tensors, metadata);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(ch, prefix);
            writeFully(ch, ByteBuffer.wrap(header));
            for (Declared t : tensors) {
                ByteBuffer data = source.bytes(t);
                if (data.remaining() != t.byteLength()) {
                    throw new IllegalStateException("tensor " + t.name() + " declared " + t.byteLength()
                            + " bytes but " + data.remaining() + " were supplied");
                }
                writeFully(ch, data);
            }
        }
    }

    /** The JSON header, space-padded so that the data section starts 8-byte aligned. */
    private static byte[] header(List<Declared> tensors, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (!metadata.isEmpty()) {
            root.set("__metadata__", json.valueToTree(new LinkedHashMap<>(metadata)));
        }
        long offset = 0;
        for (Declared t : tensors) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().safetensorsName());
            entry.set("shape", json.valueToTree(t.shape()));
            entry.set("data_offsets", json.valueToTree(new long[] {offset, offset + t.byteLength()}));
            offset += t.byteLength();
        }
        byte[] raw = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(raw, 0, out, 0, raw.length);
        for (int i = raw.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
