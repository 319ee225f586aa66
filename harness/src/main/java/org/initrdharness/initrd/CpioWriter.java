package org.initrdharness.initrd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Serialises an {@link InitrdPlan} as a cpio "newc" archive, the format the kernel unpacks into
 * its rootfs. File data is streamed straight from the source files into the output; nothing is
 * staged on disk.
 *
 * <p>The output depends only on the plan and the mtime: owner 0:0, one mtime for every entry,
 * inode numbers counted up in plan order. Sources that are the same file on disk (same device
 * and inode, same mode) become hard links sharing one inode and one copy of the data, which
 * newc carries on the last link. Not thread-safe; one writer per archive.
 */
public final class CpioWriter {
    /** newc stores sizes in 8 hex digits. */
    public static final long MAX_FILE_SIZE = 0xFFFF_FFFFL;

    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;

    private static final int HEADER_SIZE = 110;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC = "070701".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRAILER = "TRAILER!!!".getBytes(StandardCharsets.US_ASCII);
    private static final int BUFFER_SIZE = 1 << 20;

    private final long mtime;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private long written;
    private OutputStream out;

    /** A writer stamping every entry with {@code mtime} (seconds since the epoch). */
    public CpioWriter(long mtime) {
        if (mtime < 0 || mtime > MAX_FILE_SIZE) {
            throw new InitrdBuildException("mtime " + mtime + " does not fit a newc header (0.." + MAX_FILE_SIZE + ")");
        }
        this.mtime = mtime;
    }

    /** A writer whose mtime is {@code SOURCE_DATE_EPOCH} from the environment, or 1 without it. */
    public static CpioWriter reproducible() {
        return new CpioWriter(sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH")));
    }

    /** Parses a {@code SOURCE_DATE_EPOCH} value; null or empty gives 1 (the epoch's first second). */
    public static long sourceDateEpoch(String value) {
        if (value == null || value.isBlank()) return 1;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InitrdBuildException("SOURCE_DATE_EPOCH must be a number of seconds, not '" + value + "'");
        }
    }

    /** What one archive holds. */
    public record Stats(int entries, int hardLinks, long archiveBytes) {}

    /**
     * A plan with every source checked and measured: inode numbers, link counts and the exact
     * archive size are known before a byte is written, so a compressor can size its jobs.
     */
    public static final class Layout {
        private final List<PlanEntry> entries;
        private final long[] sizes;
        private final int[] inodes;
        private final int[] links;
        private final boolean[] carriesData;
        private final int hardLinks;
        private final long archiveBytes;

        private Layout(InitrdPlan plan) {
            entries = plan.entries();
            int n = entries.size();
            sizes = new long[n];
            inodes = new int[n];
            links = new int[n];
            carriesData = new boolean[n];
            hardLinks = layOut(entries, sizes, inodes, links, carriesData);
            long total = 0;
            for (int i = 0; i < n; i++) {
                PlanEntry e = entries.get(i);
                long data = e instanceof PlanEntry.RegularFile ? (carriesData[i] ? sizes[i] : 0)
                        : e instanceof PlanEntry.Generated g ? g.content().length
                        : e instanceof PlanEntry.Symlink s ? s.target().getBytes(StandardCharsets.UTF_8).length
                        : 0;
                total += align4(HEADER_SIZE + name(e.path()).length + 1) + align4(data);
            }
            archiveBytes = total + align4(HEADER_SIZE + TRAILER.length + 1);
        }

        /** The size of the uncompressed archive this layout writes. */
        public long archiveBytes() {
            return archiveBytes;
        }

        public int entries() {
            return entries.size();
        }
    }

    /** Checks and measures every source of {@code plan} (see {@link Layout}). */
    public Layout layOut(InitrdPlan plan) {
        return new Layout(plan);
    }

    /** {@code write(layOut(plan), out)}. */
    public Stats write(InitrdPlan plan, OutputStream out) throws IOException {
        return write(layOut(plan), out);
    }

    /**
     * Writes the whole plan, then the TRAILER, to {@code out} (which is not closed). The caller
     * buffers nothing: this writer issues large writes.
     *
     * @throws InitrdBuildException a source missing, unreadable, too big or changed while read
     */
    public Stats write(Layout layout, OutputStream out) throws IOException {
        this.out = out;
        this.pos = 0;
        this.written = 0;
        List<PlanEntry> entries = layout.entries;
        long[] sizes = layout.sizes;
        int[] inodes = layout.inodes;
        int[] links = layout.links;
        boolean[] carriesData = layout.carriesData;
        Map<InitrdPath, Integer> subdirs = countSubdirectories(entries);

        for (int i = 0; i < entries.size(); i++) {
            PlanEntry e = entries.get(i);
            byte[] name = name(e.path());
            if (e instanceof PlanEntry.RegularFile f) {
                long size = carriesData[i] ? sizes[i] : 0;
                header(inodes[i], S_IFREG | f.mode(), links[i], size, 0, 0, name);
                if (size > 0) copy(f, size);
            } else if (e instanceof PlanEntry.Generated g) {
                byte[] content = g.content();
                header(inodes[i], S_IFREG | g.mode(), 1, content.length, 0, 0, name);
                put(content, 0, content.length);
            } else if (e instanceof PlanEntry.Symlink s) {
                byte[] target = s.target().getBytes(StandardCharsets.UTF_8);
                header(inodes[i], S_IFLNK | 0777, 1, target.length, 0, 0, name);
                put(target, 0, target.length);
            } else if (e instanceof PlanEntry.Directory d) {
                header(inodes[i], S_IFDIR | d.mode(), 2 + subdirs.getOrDefault(d.path(), 0), 0, 0, 0, name);
            } else if (e instanceof PlanEntry.DeviceNode n) {
                int type = n.kind() == 'b' ? S_IFBLK : S_IFCHR;
                header(inodes[i], type | n.mode(), 1, 0, n.major(), n.minor(), name);
            }
            align();
        }
        header(0, 0, 1, 0, 0, 0, TRAILER);
        align();
        flush();
        this.out = null;
        if (written != layout.archiveBytes) {
            throw new IllegalStateException("archive is " + written + " bytes, layout said " + layout.archiveBytes);
        }
        return new Stats(entries.size(), layout.hardLinks, written);
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /**
     * Stats every source once and decides inode numbers, link counts and which link of a group
     * carries the data. Returns how many entries are extra links to an earlier one.
     */
    private static int layOut(List<PlanEntry> entries, long[] sizes, int[] inodes, int[] links,
                              boolean[] carriesData) {
        record Key(Object fileKey, int mode) {}
        Map<Key, List<Integer>> groups = new HashMap<>();
        int next = 1;
        int extra = 0;
        for (int i = 0; i < entries.size(); i++) {
            PlanEntry e = entries.get(i);
            links[i] = 1;
            carriesData[i] = true;
            if (!(e instanceof PlanEntry.RegularFile f)) {
                inodes[i] = next++;
                continue;
            }
            BasicFileAttributes attrs = stat(f);
            sizes[i] = attrs.size();
            Object fileKey = attrs.fileKey();
            List<Integer> group = fileKey == null ? null
                    : groups.computeIfAbsent(new Key(fileKey, f.mode()), k -> new ArrayList<>());
            if (group != null && !group.isEmpty()) {
                inodes[i] = inodes[group.get(0)];
                extra++;
            } else {
                inodes[i] = next++;
            }
            if (group != null) group.add(i);
        }
        for (List<Integer> group : groups.values()) {
            if (group.size() < 2) continue;
            for (int i : group) {
                links[i] = group.size();
                carriesData[i] = false;
            }
            carriesData[group.get(group.size() - 1)] = true; // newc: the data rides on the last link
        }
        return extra;
    }

    private static BasicFileAttributes stat(PlanEntry.RegularFile f) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(f.source(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new InitrdBuildException("source " + f.source() + " for " + f.path()
                    + " does not exist (removed since the plan was made?); rebuild the plan", e);
        } catch (IOException e) {
            throw new InitrdBuildException("cannot read source " + f.source() + " for " + f.path() + ": " + e, e);
        }
        if (!attrs.isRegularFile()) {
            throw new InitrdBuildException("source " + f.source() + " for " + f.path()
                    + " is not a regular file; list it as a directory, symlink or device node instead");
        }
        if (attrs.size() > MAX_FILE_SIZE) {
            throw new InitrdBuildException("source " + f.source() + " for " + f.path() + " is " + attrs.size()
                    + " bytes; a newc archive holds files up to 4 GiB - 1 (" + MAX_FILE_SIZE + " bytes)");
        }
        return attrs;
    }

    private static Map<InitrdPath, Integer> countSubdirectories(List<PlanEntry> entries) {
        Map<InitrdPath, Integer> counts = new HashMap<>();
        for (PlanEntry e : entries) {
            if (e instanceof PlanEntry.Directory && !e.path().isRoot()) {
                counts.merge(e.path().parent(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static byte[] name(InitrdPath path) {
        byte[] name = path.archiveName().getBytes(StandardCharsets.UTF_8);
        if (name.length + 1 > InitrdPath.PATH_MAX) {
            throw new InitrdBuildException("name of " + path + " is " + name.length
                    + " bytes; the kernel takes names up to PATH_MAX (" + InitrdPath.PATH_MAX + ") with the NUL");
        }
        return name;
    }

    private void header(int ino, int mode, int nlink, long size, int rdevMajor, int rdevMinor, byte[] name)
            throws IOException {
        ensure(HEADER_SIZE + name.length + 4);
        System.arraycopy(MAGIC, 0, buf, pos, 6);
        pos += 6;
        hex(ino);
        hex(mode);
        hex(0); // uid
        hex(0); // gid
        hex(nlink);
        hex(mtime);
        hex(size);
        hex(0); // devmajor
        hex(0); // devminor
        hex(rdevMajor);
        hex(rdevMinor);
        hex(name.length + 1);
        hex(0); // check
        System.arraycopy(name, 0, buf, pos, name.length);
        pos += name.length;
        buf[pos++] = 0;
        written += HEADER_SIZE + name.length + 1;
        align();
    }

    private void hex(long v) {
        for (int shift = 28; shift >= 0; shift -= 4) {
            buf[pos++] = HEX[(int) (v >>> shift) & 0xF];
        }
    }

    /** Pads with NULs to the next multiple of four, as newc wants after names and data. */
    private void align() throws IOException {
        int pad = (int) (-written & 3);
        if (pad == 0) return;
        ensure(pad);
        for (int i = 0; i < pad; i++) buf[pos++] = 0;
        written += pad;
    }

    private void put(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == buf.length) flush();
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(b, off, buf, pos, n);
            pos += n;
            off += n;
            len -= n;
            written += n;
        }
    }

    /** Streams exactly {@code size} bytes of the source into the buffer, refilling as it goes. */
    private void copy(PlanEntry.RegularFile f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f.source(), StandardOpenOption.READ)) {
            long left = size;
            while (left > 0) {
                if (pos == buf.length) flush();
                int want = (int) Math.min(left, buf.length - pos);
                int n = ch.read(ByteBuffer.wrap(buf, pos, want));
                if (n < 0) {
                    throw new InitrdBuildException("source " + f.source() + " for " + f.path()
                            + " shrank while being archived (" + (size - left) + " of " + size
                            + " bytes read); build again when nothing writes to it");
                }
                pos += n;
                left -= n;
                written += n;
            }
        } catch (NoSuchFileException e) {
            throw new InitrdBuildException("source " + f.source() + " for " + f.path()
                    + " vanished while the archive was written; build again", e);
        } catch (AccessDeniedException e) {
            throw new InitrdBuildException("cannot read source " + f.source() + " for " + f.path()
                    + ": permission denied", e);
        }
    }

    private void ensure(int n) throws IOException {
        if (buf.length - pos < n) flush();
    }

    private void flush() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            pos = 0;
        }
    }
}
