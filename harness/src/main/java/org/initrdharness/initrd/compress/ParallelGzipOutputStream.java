package org.initrdharness.initrd.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member compressed on several threads, the way pigz does it: the input is cut into
 * 1 MiB blocks, each deflated on its own with the previous 32 KiB as its dictionary and ended
 * with a sync flush, so the pieces join into one deflate stream that any gunzip (the kernel's
 * too) reads as usual. Block boundaries depend on the input only: the same bytes for any number
 * of threads. The header has no name and mtime 0.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    static final int BLOCK_SIZE = 1 << 20;
    private static final int DICTIONARY = 32 << 10;

    private final OutputStream out;
    private final int level;
    private final int threads;
    private final ExecutorService pool;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] block = new byte[BLOCK_SIZE];
    private int filled;
    private byte[] dictionary;
    private long total;
    private boolean closed;

    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        this.out = out;
        this.level = level;
        this.threads = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, "gzip block");
            t.setDaemon(true);
            return t;
        });
        // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix)
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("gzip stream already closed");
        crc.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK_SIZE) submit(false);
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int length = filled;
        byte[] dict = dictionary;
        pending.add(pool.submit(() -> deflate(input, length, dict, last)));
        dictionary = Arrays.copyOfRange(input, Math.max(0, length - DICTIONARY), length);
        block = new byte[BLOCK_SIZE];
        filled = 0;
        while (pending.size() > threads) writePending();
    }

    private byte[] deflate(byte[] input, int length, byte[] dict, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            if (dict != null && dict.length > 0) d.setDictionary(dict);
            d.setInput(input, 0, length);
            if (last) d.finish();
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(length / 2 + 64);
            byte[] buf = new byte[64 << 10];
            while (true) {
                int n = d.deflate(buf, 0, buf.length, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                o.write(buf, 0, n);
                if (last ? d.finished() : n < buf.length && d.needsInput()) break;
            }
            return o.toByteArray();
        } finally {
            d.end();
        }
    }

    private void writePending() throws IOException {
        try {
            out.write(pending.remove().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing gzip blocks");
        } catch (ExecutionException e) {
            throw new IOException("gzip compression failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        try {
            submit(true);
            while (!pending.isEmpty()) writePending();
            byte[] trailer = new byte[8];
            Lz4LegacyOutputStream.writeIntLE(trailer, 0, (int) crc.getValue());
            Lz4LegacyOutputStream.writeIntLE(trailer, 4, (int) total);
            out.write(trailer);
        } finally {
            closed = true;
            pool.shutdownNow();
            out.close();
        }
    }
}
