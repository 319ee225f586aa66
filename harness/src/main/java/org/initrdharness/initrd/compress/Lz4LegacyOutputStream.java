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
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * lz4's legacy frame format, the one the kernel's initramfs unpacker reads ({@code lz4 -l}): the
 * magic 0x184C2102, then blocks of 8 MiB of input, each a little-endian compressed length
 * followed by the block. There is no end mark and no checksum. Blocks are independent, so they
 * are compressed on several threads; the output is the same for any number of them.
 */
public final class Lz4LegacyOutputStream extends OutputStream {
    public static final int MAGIC = 0x184C2102;
    public static final int BLOCK_SIZE = 8 << 20;

    private final OutputStream out;
    private final LZ4Compressor compressor;
    private final ExecutorService pool;
    private final int threads;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private byte[] block = new byte[BLOCK_SIZE];
    private int filled;
    private boolean closed;

    /** One thread; level 1-2 is lz4's fast mode, 3-12 its high-compression mode. */
    public Lz4LegacyOutputStream(OutputStream out, int level) throws IOException {
        this(out, level, 1);
    }

    /** Compresses up to {@code threads} blocks at once. */
    public Lz4LegacyOutputStream(OutputStream out, int level, int threads) throws IOException {
        this.out = out;
        LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = level < 3 ? factory.fastCompressor() : factory.highCompressor(level);
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, "lz4 block");
            t.setDaemon(true);
            return t;
        });
        byte[] magic = new byte[4];
        writeIntLE(magic, 0, MAGIC);
        out.write(magic);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("lz4 stream already closed");
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK_SIZE) writeBlock();
        }
    }

    private void writeBlock() throws IOException {
        if (filled == 0) return;
        byte[] input = block;
        int length = filled;
        if (pool == null) {
            out.write(compressBlock(input, length));
        } else {
            pending.add(pool.submit(() -> compressBlock(input, length)));
            block = new byte[BLOCK_SIZE];
            while (pending.size() > threads) writePending();
        }
        filled = 0;
    }

    /** The block's length prefix and compressed bytes. */
    private byte[] compressBlock(byte[] input, int length) {
        byte[] c = new byte[4 + compressor.maxCompressedLength(length)];
        int n = compressor.compress(input, 0, length, c, 4, c.length - 4);
        writeIntLE(c, 0, n);
        return Arrays.copyOf(c, 4 + n);
    }

    private void writePending() throws IOException {
        try {
            out.write(pending.remove().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing lz4 blocks");
        } catch (ExecutionException e) {
            throw new IOException("lz4 compression failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        try {
            writeBlock();
            while (!pending.isEmpty()) writePending();
        } finally {
            closed = true;
            if (pool != null) pool.shutdownNow();
            out.close();
        }
    }

    static void writeIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
