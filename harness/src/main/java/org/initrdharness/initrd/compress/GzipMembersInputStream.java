package org.initrdharness.initrd.compress;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * gzip as the kernel's initramfs unpacker reads it: members one after another, NUL padding
 * between and after them, each checked against its CRC32 and size. Anything else after a member
 * is an error naming its offset in the gzip data; the JDK's GZIPInputStream ends there silently,
 * which would list a damaged initrd as a good one.
 */
public final class GzipMembersInputStream extends InputStream {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    /** Bytes of the gzip data used so far: where a problem is. */
    private long offset;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberBytes;
    private boolean inMember;
    private boolean ended;

    public GzipMembersInputStream(InputStream in) throws IOException {
        this.in = in;
        header();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (!ended) {
            if (!inMember) {
                if (!nextMember()) ended = true;
                continue;
            }
            if (inflater.needsInput()) {
                if (pos == lim && !fill()) throw new EOFException("the gzip data ends inside a member");
                inflater.setInput(buf, pos, lim - pos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new IOException("damaged deflate data near byte " + offset + " of the gzip data: " + e.getMessage(), e);
            }
            int used = lim - inflater.getRemaining() - pos;
            pos += used;
            offset += used;
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                trailer();
                inMember = false;
            } else if (inflater.needsDictionary()) {
                throw new IOException("a gzip member at byte " + offset + " needs a preset dictionary");
            }
        }
        return -1;
    }

    /** NUL padding, then the end or another member; anything else is not gzip. */
    private boolean nextMember() throws IOException {
        int c;
        do {
            c = next();
        } while (c == 0);
        if (c < 0) return false;
        if (c != 0x1f) {
            throw new IOException(String.format("byte %d of the gzip data (0x%02x) is neither NUL padding nor"
                    + " another gzip member; the file has data after its gzip stream", offset - 1, c));
        }
        pos--; // read again by header()
        offset--;
        header();
        return true;
    }

    private void header() throws IOException {
        long at = offset;
        int m0 = need();
        int m1 = need();
        if (m0 != 0x1f || (m1 != 0x8b && m1 != 0x9e)) throw new IOException("no gzip header at byte " + at);
        if (need() != 8) throw new IOException("the gzip member at byte " + at + " is not deflate-compressed");
        int flags = need();
        for (int i = 0; i < 6; i++) need(); // mtime, extra flags, OS
        if ((flags & 4) != 0) {
            int extra = need() | need() << 8;
            for (int i = 0; i < extra; i++) need();
        }
        if ((flags & 8) != 0) while (need() != 0) { } // file name
        if ((flags & 16) != 0) while (need() != 0) { } // comment
        if ((flags & 2) != 0) {
            need();
            need();
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inMember = true;
    }

    private void trailer() throws IOException {
        long at = offset;
        long sum = need() | need() << 8 | need() << 16 | (long) need() << 24;
        long size = need() | need() << 8 | need() << 16 | (long) need() << 24;
        if (sum != crc.getValue()) throw new IOException("the gzip member ending at byte " + at + " fails its CRC32");
        if (size != (memberBytes & 0xFFFFFFFFL)) {
            throw new IOException("the gzip member ending at byte " + at + " holds " + memberBytes
                    + " bytes, its trailer says " + size);
        }
    }

    private int next() throws IOException {
        if (pos == lim && !fill()) return -1;
        offset++;
        return buf[pos++] & 0xFF;
    }

    private int need() throws IOException {
        int c = next();
        if (c < 0) throw new EOFException("the gzip data ends inside a member's header or trailer");
        return c;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        pos = 0;
        lim = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
