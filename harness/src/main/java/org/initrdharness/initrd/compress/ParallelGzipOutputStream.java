package org.initrdharness.initrd.compress;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member compressed on several threads, the way pigz does it: the input is cut into
 * 1 MiB blocks, each deflated on its own with the previous 32 KiB as its dictionary and ended
 * with a sync flush, so the pieces join into one deflate stream that any gunzip (the kernel's
 * too) reads as usual. Block boundaries depend on the input only: the same bytes for any number
 * of threads. The header has no name and mtime 0.
 */
public final class ParallelGzipOutputStream extends ParallelBlockOutputStream<byte[]> {
    static final int BLOCK_SIZE = 1 << 20;
    private static final int DICTIONARY = 32 << 10;

    private final int level;
    private final CRC32 crc = new CRC32();
    private byte[] dictionary;
    private long total;

    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        super(out, "gzip", BLOCK_SIZE, threads);
        this.level = level;
        // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix)
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    }

    @Override
    protected void consumed(byte[] b, int off, int len) {
        crc.update(b, off, len);
        total += len;
    }

    @Override
    protected boolean compressEmptyLastBlock() {
        return true; // the last block ends the deflate stream
    }

    @Override
    protected Callable<byte[]> task(byte[] input, int length, boolean last) {
        byte[] dict = dictionary;
        dictionary = Arrays.copyOfRange(input, Math.max(0, length - DICTIONARY), length);
        return () -> deflate(input, length, dict, last);
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

    @Override
    protected void emit(byte[] compressed, OutputStream out) throws IOException {
        out.write(compressed);
    }

    @Override
    protected void finish(OutputStream out) throws IOException {
        byte[] trailer = new byte[8];
        writeIntLE(trailer, 0, (int) crc.getValue());
        writeIntLE(trailer, 4, (int) total);
        out.write(trailer);
    }
}
