package io.trolserve.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The header of one {@code .safetensors} file, validated against the file's length; the tensor
 * bytes themselves are mapped by {@link MappedWeights}, never read through the Java heap.
 *
 * <pre>
 * | u64 LE: N | N bytes of JSON header (space-padded) | data: each tensor at [begin, end) |
 * </pre>
 */
public final class SafetensorsFile {

    /** Headers of real checkpoints are a few hundred KB; anything far larger is corruption. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** One header entry; offsets are absolute positions in the file. */
    public record Entry(String name, String dtypeName, long[] shape, long fileOffset, long byteLength) {

        public DType dtype(Path file) {
            return DType.fromSafetensorsName(dtypeName).orElseThrow(() -> CheckpointException.inFile(file,
                    "tensor '" + name + "' has dtype " + dtypeName + "; supported: F32, F16, BF16"));
        }

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final long fileLength;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path path, long fileLength, Map<String, Entry> entries) {
        this.path = path;
        this.fileLength = fileLength;
        this.entries = Collections.unmodifiableMap(entries);
    }

    public Path path() {
        return path;
    }

    public long fileLength() {
        return fileLength;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length < 8) {
                throw CheckpointException.inFile(path, "truncated: " + length + " bytes, not a safetensors file");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, prefix, 0);
            long headerLength = prefix.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > length - 8) {
                throw CheckpointException.inFile(path, "corrupt or truncated: header length field says "
                        + headerLength + " bytes but the file holds " + length);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            long dataStart = 8 + headerLength;
            return new SafetensorsFile(path, length, parseHeader(path, header.array(), dataStart, length));
        } catch (NoSuchFileException e) {
            throw CheckpointException.inFile(path, "file is missing");
        } catch (IOException e) {
            throw CheckpointException.inFile(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static Map<String, Entry> parseHeader(Path path, byte[] header, long dataStart, long fileLength) {
        JsonNode root;
        try {
            String json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
            root = new ObjectMapper().readTree(json);
        } catch (CharacterCodingException e) {
            throw CheckpointException.inFile(path, "corrupt header: not UTF-8");
        } catch (JsonProcessingException e) {
            throw CheckpointException.inFile(path, "corrupt header: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw CheckpointException.inFile(path, "corrupt header: not a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("__metadata__")) {
                entries.put(field.getKey(), parseEntry(path, field.getKey(), field.getValue(), dataStart, fileLength));
            }
        }
        return entries;
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataStart, long fileLength) {
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray()
                || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw CheckpointException.inFile(path, "corrupt header entry for tensor '" + name + "'");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 0) {
                throw CheckpointException.inFile(path, "tensor '" + name + "' has an invalid shape " + shape);
            }
            dims[i] = d.longValue();
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long dataLength = fileLength - dataStart;
        if (begin < 0 || end < begin || end > dataLength) {
            throw CheckpointException.inFile(path, "truncated or corrupt: tensor '" + name + "' spans bytes ["
                    + begin + ", " + end + ") of a data section of " + dataLength + " bytes");
        }
        Entry entry = new Entry(name, dtype.textValue(), dims, dataStart + begin, end - begin);
        int elementSize = elementSize(entry.dtypeName());
        if (elementSize > 0 && entry.numel() * elementSize != entry.byteLength()) {
            throw CheckpointException.inFile(path, "corrupt header: tensor '" + name + "' of shape " + shape + " and dtype "
                    + entry.dtypeName() + " needs " + entry.numel() * elementSize + " bytes but spans " + entry.byteLength());
        }
        return entry;
    }

    /** Byte size of every dtype the format defines, so that tensors we ignore are still checked. */
    private static int elementSize(String dtypeName) {
        return switch (dtypeName) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }
}
