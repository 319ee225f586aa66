package org.initrdharness.initrd.compress;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.Callable;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * lz4's legacy frame format, the one the kernel's initramfs unpacker reads ({@code lz4 -l}): the
 * magic 0x184C2102, then blocks of 8 MiB of input, each a little-endian compressed length
 * followed by the block. There is no end mark and no checksum. Blocks are independent, so they
 * are compressed on several threads; the output is the same for any number of them.
 */
public final class Lz4LegacyOutputStream extends ParallelBlockOutputStream<byte[]> {
    public static final int MAGIC = 0x184C2102;
    public static final int BLOCK_SIZE = 8 << 20;

    private final LZ4Compressor compressor;

    /** One thread; level 1-2 is lz4's fast mode, 3-12 its high-compression mode. */
    public Lz4LegacyOutputStream(OutputStream out, int level) throws IOException {
        this(out, level, 1);
    }

    /** Compresses up to {@code threads} blocks at once. */
    public Lz4LegacyOutputStream(OutputStream out, int level, int threads) throws IOException {
        super(out, "lz4", BLOCK_SIZE, threads);
        LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = level < 3 ? factory.fastCompressor() : factory.highCompressor(level);
        byte[] magic = new byte[4];
        writeIntLE(magic, 0, MAGIC);
        out.write(magic);
    }

    /** The block's length prefix and compressed bytes. */
    @Override
    protected Callable<byte[]> task(byte[] input, int length, boolean last) {
        return () -> {
            byte[] c = new byte[4 + compressor.maxCompressedLength(length)];
            int n = compressor.compress(input, 0, length, c, 4, c.length - 4);
            writeIntLE(c, 0, n);
            return Arrays.copyOf(c, 4 + n);
        };
    }

    @Override
    protected void emit(byte[] compressed, OutputStream out) throws IOException {
        out.write(compressed);
    }
}
