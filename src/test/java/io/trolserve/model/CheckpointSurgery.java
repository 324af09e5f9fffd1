package io.trolserve.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.model.checkpoint.SafetensorsFile;

/** Copies a tiny checkpoint and damages it in one precise way, for the loader's error tests. */
final class CheckpointSurgery {

    /** One stored tensor as the header declares it, with its bytes; edits return new ones. */
    record Stored(String name, String dtype, long[] shape, byte[] bytes) {
    }

    private CheckpointSurgery() {
    }

    static Path copy(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (var files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    /** Rewrites model.safetensors with whatever tensors the edit returns, declared as given. */
    static void editWeights(Path dir, UnaryOperator<List<Stored>> edit) throws IOException {
        Path file = dir.resolve("model.safetensors");
        List<Stored> tensors = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (SafetensorsFile.Entry e : SafetensorsFile.open(file).entries().values()) {
                ByteBuffer buf = ByteBuffer.allocate((int) e.byteLength());
                ch.read(buf, e.fileOffset());
                tensors.add(new Stored(e.name(), e.dtypeName(), e.shape(), buf.array()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Stored s : edit.apply(tensors)) {
            ObjectNode entry = header.putObject(s.name());
            entry.put("dtype", s.dtype());
            entry.set("shape", json.valueToTree(s.shape()));
            entry.set("data_offsets", json.valueToTree(new long[] {data.size(), data.size() + s.bytes().length}));
            data.write(s.bytes());
        }
        StringBuilder text = new StringBuilder(header.toString());
        while (text.length() % 8 != 0) {
            text.append(' ');
        }
        byte[] headerBytes = text.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerBytes.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(prefix.array());
        out.write(headerBytes);
        data.writeTo(out);
        Files.write(file, out.toByteArray());
    }
}
