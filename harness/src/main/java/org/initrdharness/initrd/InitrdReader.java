package org.initrdharness.initrd;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.initrd.compress.GzipMembersInputStream;
import org.initrdharness.initrd.compress.Lz4LegacyInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads an initrd as the kernel does: newc archives one after another, each either plain or
 * compressed (gzip, zstd, xz, lz4 legacy; told apart by their magic), with NUL padding between.
 * A compressed part runs to the end of the file and may itself hold several archives.
 */
public final class InitrdReader {
    private static final int HEADER_SIZE = 110;

    /** One archive of the file and the compression it was stored with. */
    public record Part(int index, Compression.Format compression, long offset) {}

    /** Everything read: the parts in file order and their entries in archive order. */
    public record Contents(List<Part> parts, List<InitrdEntry> entries) {
        /** Entries by path; a later archive's entry replaces an earlier one, as when unpacking. */
        public Map<String, InitrdEntry> byPath() {
            Map<String, InitrdEntry> m = new java.util.LinkedHashMap<>();
            for (InitrdEntry e : entries) m.put(e.path(), e);
            return m;
        }
    }

    private InitrdReader() {}

    /**
     * Bytes of archive read (headers, names and content, after decompression) before a file is
     * refused: far above any initrd, below what would exhaust the memory the entries are kept in.
     */
    static final long MAX_BYTES = Math.min(4L << 30, Runtime.getRuntime().maxMemory() / 2);
    /** Padding between archives is a few hundred bytes at most; a megabyte of NULs is not an initrd. */
    static final int MAX_NUL_RUN = 1 << 20;

    public static Contents read(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new InitrdBuildException(file + " is a directory, not an initrd file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads from {@code in}; {@code name} is used in error messages. A damaged, truncated or
     * oversized archive is an {@link InitrdBuildException} naming {@code name} and the offset.
     */
    public static Contents read(InputStream in, String name) throws IOException {
        Source top = new Source(new BufferedInputStream(in, 1 << 16), name, null);
        List<Part> parts = new ArrayList<>();
        List<InitrdEntry> entries = new ArrayList<>();
        while (true) {
            top.skipNuls();
            byte[] magic = top.peek(6);
            if (magic.length == 0) break;
            long offset = top.position;
            if (isCpio(magic)) {
                parts.add(new Part(parts.size(), Compression.Format.NONE, offset));
                readArchive(top, parts.size() - 1, entries);
                continue;
            }
            Compression.Format format = detect(magic);
            if (format == null) {
                throw new InitrdBuildException(name + ": unknown data at offset " + offset
                        + " (neither a newc archive nor gzip, zstd, xz or lz4)");
            }
            String where = "the " + format.id() + " data at offset " + offset;
            Source inner;
            try {
                inner = new Source(new BufferedInputStream(decompress(format, top.in), 1 << 16), name, where);
            } catch (IOException | RuntimeException e) {
                throw damaged(name, where, 0, e);
            }
            inner.limit = MAX_BYTES - top.position;
            boolean first = true;
            try {
                while (true) {
                    inner.skipNuls();
                    byte[] m = inner.peek(6);
                    if (m.length == 0) break;
                    if (!isCpio(m)) {
                        throw new InitrdBuildException(name + ": " + where + " does not hold a newc archive at its"
                                + " offset " + inner.position);
                    }
                    parts.add(new Part(parts.size(), format, first ? offset : -1));
                    first = false;
                    readArchive(inner, parts.size() - 1, entries);
                }
            } catch (InitrdBuildException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw damaged(name, where, inner.position, e);
            }
            break;
        }
        if (parts.isEmpty()) throw new InitrdBuildException(name + " is empty: no archive in it");
        return new Contents(List.copyOf(parts), entries);
    }

    /** A decompressor's complaint (EOF, a bad check, junk after the stream) as one line naming the place. */
    private static InitrdBuildException damaged(String name, String where, long position, Exception e) {
        String why = e instanceof EOFException ? "it ends early"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new InitrdBuildException(name + ": " + where + " is truncated or damaged after " + position
                + " bytes of its content: " + why, e);
    }

    /** The compression a file part starts with, by magic; null if none is known. */
    static Compression.Format detect(byte[] m) {
        if (m.length >= 2 && (m[0] & 0xFF) == 0x1F && ((m[1] & 0xFF) == 0x8B || (m[1] & 0xFF) == 0x9E)) {
            return Compression.Format.GZIP;
        }
        if (m.length >= 4 && (m[0] & 0xFF) == 0x28 && (m[1] & 0xFF) == 0xB5 && (m[2] & 0xFF) == 0x2F
                && (m[3] & 0xFF) == 0xFD) {
            return Compression.Format.ZSTD;
        }
        if (m.length >= 6 && (m[0] & 0xFF) == 0xFD && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z'
                && m[5] == 0) {
            return Compression.Format.XZ;
        }
        if (m.length >= 4 && (m[0] & 0xFF) == 0x02 && (m[1] & 0xFF) == 0x21 && (m[2] & 0xFF) == 0x4C
                && (m[3] & 0xFF) == 0x18) {
            return Compression.Format.LZ4;
        }
        return null;
    }

    private static InputStream decompress(Compression.Format format, InputStream in) throws IOException {
        switch (format) {
            case GZIP: return new GzipMembersInputStream(in); // the JDK's ignores data after the stream
            case ZSTD: return new ZstdInputStreamNoFinalizer(in);
            case XZ: return new XZInputStream(in);
            case LZ4: return new Lz4LegacyInputStream(in);
            default: throw new AssertionError(format);
        }
    }

    private static boolean isCpio(byte[] m) {
        return m.length == 6 && m[0] == '0' && m[1] == '7' && m[2] == '0' && m[3] == '7' && m[4] == '0'
                && (m[5] == '1' || m[5] == '2');
    }

    /** Reads one newc archive up to and including its TRAILER. */
    private static void readArchive(Source src, int archive, List<InitrdEntry> out) throws IOException {
        String name = src.name;
        record Key(long dev, long inode) {}
        Map<Key, List<Integer>> links = new HashMap<>();
        byte[] header = new byte[HEADER_SIZE];
        while (true) {
            long at = src.position;
            src.readFully(header);
            if (!isCpio(java.util.Arrays.copyOf(header, 6))) {
                throw src.bad("bad newc header magic at offset " + at + " of archive " + archive);
            }
            for (int f = 0; f < 13; f++) checkHex(src, header, f, at);
            long ino = field(header, 0);
            int mode = (int) field(header, 1);
            int uid = (int) field(header, 2);
            int gid = (int) field(header, 3);
            int nlink = (int) field(header, 4);
            long mtime = field(header, 5);
            long size = field(header, 6);
            long devMajor = field(header, 7);
            long devMinor = field(header, 8);
            int rdevMajor = (int) field(header, 9);
            int rdevMinor = (int) field(header, 10);
            int nameSize = (int) field(header, 11);
            if (nameSize < 1 || nameSize > 65536) {
                throw src.bad("implausible name size " + nameSize + " in the header at offset " + at);
            }
            byte[] rawName = new byte[nameSize];
            src.readFully(rawName);
            src.align();
            String entryName = new String(rawName, 0, nameSize - 1, StandardCharsets.UTF_8);
            if (entryName.equals("TRAILER!!!")) return;
            if (size > Integer.MAX_VALUE - 16 || size > src.limit - src.position) {
                throw src.bad(entryName + " (header at offset " + at + ") claims " + size + " bytes, more than"
                        + " this reader takes (" + Math.min(Integer.MAX_VALUE - 16, src.limit - src.position)
                        + " bytes are left of its " + MAX_BYTES + ")");
            }
            byte[] data = src.readData((int) size); // grows as bytes come: a false size costs nothing
            src.align();
            String path = "/" + entryName;
            path = path.equals("/.") ? "/" : path.startsWith("/./") ? path.substring(2) : path;
            String target = (mode & 0170000) == CpioWriter.S_IFLNK ? new String(data, StandardCharsets.UTF_8) : null;
            out.add(new InitrdEntry(archive, path, mode, size, nlink, mtime, uid, gid, ino, rdevMajor, rdevMinor,
                    target, data));
            if ((mode & 0170000) == CpioWriter.S_IFREG && nlink > 1) {
                links.computeIfAbsent(new Key(devMajor << 32 | devMinor, ino), k -> new ArrayList<>())
                        .add(out.size() - 1);
            }
            if (!links.isEmpty() && (mode & 0170000) == CpioWriter.S_IFREG && nlink > 1 && size > 0) {
                shareData(out, links.remove(new Key(devMajor << 32 | devMinor, ino)));
            }
        }
    }

    /** Gives every link of a group the data the group's data-carrying link holds. */
    private static void shareData(List<InitrdEntry> out, List<Integer> group) {
        InitrdEntry full = out.get(group.get(group.size() - 1));
        for (int i : group) {
            InitrdEntry e = out.get(i);
            if (e.size() == 0) {
                out.set(i, new InitrdEntry(e.archive(), e.path(), e.mode(), full.size(), e.nlink(), e.mtime(),
                        e.uid(), e.gid(), e.inode(), e.rdevMajor(), e.rdevMinor(), null, full.data()));
            }
        }
    }

    private static long field(byte[] h, int index) {
        long v = 0;
        for (int i = 6 + index * 8, end = i + 8; i < end; i++) v = v << 4 | Character.digit(h[i], 16);
        return v;
    }

    private static void checkHex(Source src, byte[] h, int index, long at) {
        for (int i = 6 + index * 8, end = i + 8; i < end; i++) {
            if (Character.digit(h[i], 16) < 0 || h[i] > 'f') {
                throw src.bad("bad hex digit 0x" + Integer.toHexString(h[i] & 0xFF) + " in field " + index
                        + " of the newc header at offset " + at);
            }
        }
    }

    /** A stream with a position, for newc's four-byte alignment and for messages. */
    private static final class Source {
        final InputStream in;
        final String name;
        /** "the zstd data at offset 0", or null for the file itself */
        final String where;
        long position;
        long limit = MAX_BYTES;

        Source(InputStream in, String name, String where) {
            this.in = in;
            this.name = name;
            this.where = where;
        }

        InitrdBuildException bad(String what) {
            return new InitrdBuildException(name + ": " + (where == null ? "" : "in " + where + ": ") + what);
        }

        byte[] peek(int n) throws IOException {
            in.mark(n);
            byte[] b = in.readNBytes(n);
            in.reset();
            return b;
        }

        void skipNuls() throws IOException {
            long start = position;
            while (true) {
                in.mark(1);
                int c = in.read();
                if (c != 0) {
                    in.reset();
                    return;
                }
                position++;
                if (position - start > MAX_NUL_RUN) {
                    throw bad("more than " + MAX_NUL_RUN + " NUL bytes from offset " + start + "; not an initrd");
                }
            }
        }

        void readFully(byte[] b) throws IOException {
            int n = in.readNBytes(b, 0, b.length);
            advance(n, b.length);
        }

        byte[] readData(int size) throws IOException {
            byte[] b = in.readNBytes(size);
            advance(b.length, size);
            return b;
        }

        private void advance(int got, int wanted) throws IOException {
            position += got;
            if (got < wanted) {
                if (where != null) throw new EOFException(); // the decompressor's end: named by the caller
                throw bad("the archive ends early at offset " + position + " (" + (wanted - got)
                        + " more bytes were expected); the file is truncated");
            }
            if (position > limit) throw bad("more than " + MAX_BYTES + " bytes of archive; refusing to read on");
        }

        void align() throws IOException {
            int pad = (int) (-position & 3);
            if (pad > 0) readFully(new byte[pad]);
        }
    }
}
