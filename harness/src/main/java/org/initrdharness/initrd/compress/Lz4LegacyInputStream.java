package org.initrdharness.initrd.compress;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads lz4's legacy frame format (see {@link Lz4LegacyOutputStream}); like the kernel, it
 * accepts the magic again between blocks (concatenated streams) and stops at the end of input.
 */
public final class Lz4LegacyInputStream extends InputStream {
    private final InputStream in;
    private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
    private final byte[] block = new byte[Lz4LegacyOutputStream.BLOCK_SIZE];
    private byte[] compressed = new byte[0];
    private int pos;
    private int limit;
    private boolean eof;

    public Lz4LegacyInputStream(InputStream in) throws IOException {
        this.in = in;
        Integer magic = readIntLE();
        if (magic == null || magic != Lz4LegacyOutputStream.MAGIC) {
            throw new IOException("not an lz4 legacy stream (magic 0x184C2102 missing)");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (pos == limit) {
            if (eof || !nextBlock()) return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(block, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean nextBlock() throws IOException {
        Integer size = readIntLE();
        while (size != null && size == Lz4LegacyOutputStream.MAGIC) size = readIntLE();
        if (size == null || size == 0) { // end of input, or the zero padding after it
            if (size != null) {
                // only more padding may follow: anything else was appended, and would go unseen
                long n = 4;
                for (int c = in.read(); c >= 0; c = in.read(), n++) {
                    if (c != 0) {
                        throw new IOException(String.format("%d bytes into the zero padding after the lz4 stream is"
                                + " 0x%02x; the file has data after its lz4 stream", n, c));
                    }
                }
            }
            eof = true;
            return false;
        }
        if (size <= 0 || size > Lz4LegacyOutputStream.BLOCK_SIZE * 2) {
            throw new IOException("lz4 legacy block of implausible size " + Integer.toUnsignedString(size));
        }
        if (compressed.length < size) compressed = new byte[size];
        int got = in.readNBytes(compressed, 0, size);
        if (got < size) throw new EOFException("lz4 legacy block cut short: " + got + " of " + size + " bytes");
        try {
            limit = decompressor.decompress(compressed, 0, size, block, 0, block.length);
        } catch (LZ4Exception e) {
            throw new IOException("corrupt lz4 legacy block: " + e.getMessage(), e);
        }
        pos = 0;
        return true;
    }

    /** The next little-endian int, or null at a clean end of input. */
    private Integer readIntLE() throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length == 0) return null;
        if (b.length < 4) throw new EOFException("lz4 legacy stream ends inside a block length");
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
