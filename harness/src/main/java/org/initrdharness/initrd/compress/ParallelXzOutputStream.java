package org.initrdharness.initrd.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import org.tukaani.xz.FinishableOutputStream;
import org.tukaani.xz.FinishableWrapperOutputStream;
import org.tukaani.xz.LZMA2Options;

/**
 * One .xz stream made of independent LZMA2 blocks compressed on several threads, as
 * {@code xz -T0} writes it, with the CRC32 check (the kernel's decoder takes CRC32 or none,
 * never CRC64). Block boundaries depend on the block size only: the same bytes for any number
 * of threads.
 */
public final class ParallelXzOutputStream extends ParallelBlockOutputStream<ParallelXzOutputStream.Block> {
    private static final byte[] HEADER_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};
    private static final byte[] STREAM_FLAGS = {0, 1}; // check type 1: CRC32
    private static final int CHECK_SIZE = 4;

    private final LZMA2Options options;
    private final List<Block> written = new ArrayList<>();

    /** A compressed block and what the index says of it. */
    record Block(byte[] bytes, long unpaddedSize, long uncompressedSize) {}

    public ParallelXzOutputStream(OutputStream out, LZMA2Options options, int blockSize, int threads)
            throws IOException {
        super(out, "xz", blockSize, threads);
        this.options = options;
        out.write(HEADER_MAGIC);
        out.write(STREAM_FLAGS);
        writeCrc(out, STREAM_FLAGS, 0, STREAM_FLAGS.length);
    }

    @Override
    protected Callable<Block> task(byte[] input, int length, boolean last) {
        return () -> compress(input, length);
    }

    private Block compress(byte[] input, int length) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream(length / 3 + 64);
        // Block header: size, flags (one filter, no sizes), LZMA2 filter flags, padding, CRC32.
        byte[] header = new byte[12];
        header[0] = (byte) (header.length / 4 - 1);
        header[1] = 0;
        header[2] = 0x21;
        header[3] = 1;
        header[4] = dictSizeByte(options.getDictSize());
        o.write(header, 0, 8);
        writeCrc(o, header, 0, 8);
        FinishableOutputStream lzma2 = options.getOutputStream(new FinishableWrapperOutputStream(o));
        lzma2.write(input, 0, length);
        lzma2.finish();
        long unpadded = o.size() + CHECK_SIZE;
        while (o.size() % 4 != 0) o.write(0);
        CRC32 check = new CRC32();
        check.update(input, 0, length);
        writeIntLE(o, (int) check.getValue());
        return new Block(o.toByteArray(), unpadded, length);
    }

    @Override
    protected void emit(Block b, OutputStream out) throws IOException {
        out.write(b.bytes());
        written.add(b);
    }

    @Override
    protected void finish(OutputStream out) throws IOException {
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        index.write(0);
        writeVarint(index, written.size());
        for (Block b : written) {
            writeVarint(index, b.unpaddedSize());
            writeVarint(index, b.uncompressedSize());
        }
        while (index.size() % 4 != 0) index.write(0);
        byte[] indexBytes = index.toByteArray();
        out.write(indexBytes);
        writeCrc(out, indexBytes, 0, indexBytes.length);
        // Footer: CRC32 of (backward size, flags), backward size, flags, magic.
        byte[] footer = new byte[6];
        int backward = (indexBytes.length + 4) / 4 - 1;
        footer[0] = (byte) backward;
        footer[1] = (byte) (backward >>> 8);
        footer[2] = (byte) (backward >>> 16);
        footer[3] = (byte) (backward >>> 24);
        footer[4] = STREAM_FLAGS[0];
        footer[5] = STREAM_FLAGS[1];
        writeCrc(out, footer, 0, footer.length);
        out.write(footer);
        out.write(new byte[] {'Y', 'Z'});
    }

    /** The LZMA2 property byte: the smallest encoded dictionary size at least {@code dictSize}. */
    static byte dictSizeByte(int dictSize) {
        for (int b = 0; b < 40; b++) {
            long size = (2L | (b & 1)) << (b / 2 + 11);
            if (size >= dictSize) return (byte) b;
        }
        return 40;
    }

    private static void writeVarint(ByteArrayOutputStream o, long v) {
        while (v >= 0x80) {
            o.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void writeCrc(OutputStream o, byte[] b, int off, int len) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(b, off, len);
        writeIntLE(o, (int) crc.getValue());
    }

    private static void writeIntLE(OutputStream o, int v) throws IOException {
        o.write(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }
}
