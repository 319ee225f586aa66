package org.initrdharness.initrd.compress;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * lz4's legacy frame format, the one the kernel's initramfs unpacker reads ({@code lz4 -l}): the
 * magic 0x184C2102, then blocks of 8 MiB of input, each a little-endian compressed length
 * followed by the block. There is no end mark and no checksum.
 */
public final class Lz4LegacyOutputStream extends OutputStream {
    public static final int MAGIC = 0x184C2102;
    public static final int BLOCK_SIZE = 8 << 20;

    private final OutputStream out;
    private final LZ4Compressor compressor;
    private final byte[] block = new byte[BLOCK_SIZE];
    private final byte[] compressed;
    private int filled;
    private boolean closed;

    /** Level 1-2 is lz4's fast mode, 3-12 its high-compression mode. */
    public Lz4LegacyOutputStream(OutputStream out, int level) throws IOException {
        this.out = out;
        LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = level < 3 ? factory.fastCompressor() : factory.highCompressor(level);
        this.compressed = new byte[4 + compressor.maxCompressedLength(BLOCK_SIZE)];
        writeIntLE(compressed, 0, MAGIC);
        out.write(compressed, 0, 4);
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
        int n = compressor.compress(block, 0, filled, compressed, 4, compressed.length - 4);
        writeIntLE(compressed, 0, n);
        out.write(compressed, 0, 4 + n);
        filled = 0;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        try {
            writeBlock();
        } finally {
            closed = true;
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
