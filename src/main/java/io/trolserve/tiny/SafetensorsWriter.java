package io.trolserve.tiny;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.trolserve.model.checkpoint.DType;

/**
 * Writes a {@code .safetensors} file tensor by tensor, so that a checkpoint larger than the heap
 * can be produced: the header (with every offset) is computed first from the declared shapes, then
 * each tensor's bytes are requested piece by piece and written at its own offset. Because every
 * offset is known up front, tensors can be produced on several threads at once; the file's bytes
 * do not depend on how many.
 */
public final class SafetensorsWriter {

    /** A tensor to be written: its bytes come from the {@link TensorBytes} callback. */
    public record Declared(String name, DType dtype, long[] shape) {

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public long byteLength() {
            return numel() * dtype.byteSize();
        }
    }

    /** Takes the next piece of one tensor's little-endian bytes. */
    @FunctionalInterface
    public interface ByteSink {
        void put(ByteBuffer bytes) throws IOException;
    }

    /** Supplies one tensor's bytes, exactly {@code byteLength} of them, in pieces of any size. */
    @FunctionalInterface
    public interface TensorBytes {
        void write(Declared tensor, ByteSink out) throws IOException;
    }

    private SafetensorsWriter() {
    }

    public static void write(Path file, List<Declared> tensors, Map<String, String> metadata, TensorBytes source)
            throws IOException {
        write(file, tensors, metadata, source, 1);
    }

    /** As {@link #write(Path, List, Map, TensorBytes)}, producing up to {@code threads} tensors at once. */
    public static void write(Path file, List<Declared> tensors, Map<String, String> metadata, TensorBytes source,
                             int threads) throws IOException {
        byte[] header = header(tensors, metadata);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeAt(ch, prefix, 0);
            writeAt(ch, ByteBuffer.wrap(header), 8);
            long offset = 8L + header.length;
            List<Runnable> jobs = new ArrayList<>();
            for (Declared t : tensors) {
                long start = offset;
                jobs.add(() -> writeTensor(ch, t, start, source));
                offset += t.byteLength();
            }
            run(jobs, threads);
        }
    }

    private static void writeTensor(FileChannel ch, Declared t, long start, TensorBytes source) {
        long[] written = {0};
        try {
            source.write(t, bytes -> {
                if (written[0] + bytes.remaining() > t.byteLength()) {
                    throw new IllegalStateException("tensor " + t.name() + " declared " + t.byteLength()
                            + " bytes but more were supplied");
                }
                int n = bytes.remaining();
                writeAt(ch, bytes, start + written[0]);
                written[0] += n;
            });
        } catch (IOException e) {
            throw new WriteFailure(e);
        }
        if (written[0] != t.byteLength()) {
            throw new IllegalStateException("tensor " + t.name() + " declared " + t.byteLength()
                    + " bytes but " + written[0] + " were supplied");
        }
    }

    private static void awaitStopped(ExecutorService pool) throws IOException {
        try {
            if (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IOException("tensor writers did not stop within a minute of being cancelled");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for tensor writers to stop", e);
        }
    }

    /** Runs the jobs on this thread, or on a pool; the first failure is rethrown once all have stopped. */
    private static void run(List<Runnable> jobs, int threads) throws IOException {
        try {
            if (threads <= 1 || jobs.size() <= 1) {
                jobs.forEach(Runnable::run);
                return;
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, jobs.size()));
            try {
                List<Future<?>> futures = new ArrayList<>();
                jobs.forEach(j -> futures.add(pool.submit(j)));
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing tensors", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException(e.getCause());
            } finally {
                pool.shutdownNow();
                awaitStopped(pool);   // no job may still write to the channel the caller is about to close
            }
        } catch (WriteFailure e) {
            throw e.getCause();
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

    private static void writeAt(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
    }

    /** Carries an IOException out of a job (Runnable) to {@link #run}. */
    private static final class WriteFailure extends RuntimeException {
        WriteFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
