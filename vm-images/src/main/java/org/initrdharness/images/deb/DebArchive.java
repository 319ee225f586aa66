package org.initrdharness.images.deb;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Reads a Debian binary package: an ar archive holding {@code debian-binary},
 * {@code control.tar.*} and {@code data.tar.*} (xz, zst, gz, bz2 or plain), without dpkg.
 */
public final class DebArchive {

    /** What a tar member is. */
    public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, OTHER }

    /**
     * One member of the data archive.
     *
     * @param path   relative path without a leading "./" ("usr/bin/kmod"); "" is the top directory
     * @param mode   permission bits (07777)
     * @param link   symlink target as stored, or for a hard link the relative path it links to
     */
    public record Entry(String path, Type type, int mode, long size, String link, long mtimeSeconds) {}

    /** Receives the members in archive order; {@code content} is only readable for files. */
    @FunctionalInterface
    public interface Visitor {
        void visit(Entry entry, InputStream content) throws IOException;
    }

    private final Path deb;

    public DebArchive(Path deb) {
        this.deb = deb;
    }

    public Path file() {
        return deb;
    }

    /** Walks {@code data.tar.*}. */
    public void readData(Visitor visitor) throws IOException {
        withMember("data.tar", tar -> {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                visitor.visit(toEntry(e), tar);
            }
        });
    }

    /** The fields of {@code control} (Package, Version, Architecture, Depends, ...). */
    public Map<String, String> control() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        withMember("control.tar", tar -> {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (relative(e.getName()).equals("control")) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    tar.transferTo(out);
                    parseControl(out.toString(StandardCharsets.UTF_8), fields);
                }
            }
        });
        if (fields.isEmpty()) {
            throw new IOException(deb + ": no control file in control.tar: not a Debian binary package?");
        }
        return fields;
    }

    private interface TarReader {
        void read(TarArchiveInputStream tar) throws IOException;
    }

    private void withMember(String prefix, TarReader reader) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(deb), 1 << 16);
                ArArchiveInputStream ar = new ArArchiveInputStream(in)) {
            ArArchiveEntry m;
            boolean sawBinary = false;
            while ((m = ar.getNextEntry()) != null) {
                String name = m.getName();
                if (name.equals("debian-binary")) {
                    sawBinary = true;
                } else if (name.startsWith(prefix)) {
                    InputStream plain = decompressor(name, ar);
                    try (TarArchiveInputStream tar = new TarArchiveInputStream(plain, StandardCharsets.UTF_8.name())) {
                        reader.read(tar);
                    }
                    return;
                }
            }
            throw new IOException(deb + ": no " + prefix + ".* member"
                    + (sawBinary ? "" : " (and no debian-binary: not a .deb file?)")
                    + "; delete it so that it is downloaded again");
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(deb.toString())) {
                throw io;
            }
            throw new IOException(deb + ": cannot read package (" + e + "); delete it so that it is downloaded again", e);
        }
    }

    private InputStream decompressor(String member, InputStream raw) throws IOException {
        // Closing the decompressor must not close the ar stream underneath.
        InputStream in = new BufferedInputStream(new NonClosing(raw), 1 << 16);
        if (member.endsWith(".xz")) return new XZCompressorInputStream(in);
        if (member.endsWith(".zst")) return new ZstdCompressorInputStream(in);
        if (member.endsWith(".gz")) return new GZIPInputStream(in, 1 << 16);
        if (member.endsWith(".bz2")) return new BZip2CompressorInputStream(in);
        if (member.endsWith(".tar")) return in;
        throw new IOException(deb + ": member " + member + " uses a compression this reader does not know");
    }

    private static Entry toEntry(TarArchiveEntry e) {
        String path = relative(e.getName());
        int mode = e.getMode() & 07777;
        long mtime = e.getModTime().getTime() / 1000;
        if (e.isSymbolicLink()) return new Entry(path, Type.SYMLINK, mode, 0, e.getLinkName(), mtime);
        if (e.isLink()) return new Entry(path, Type.HARDLINK, mode, 0, relative(e.getLinkName()), mtime);
        if (e.isDirectory()) return new Entry(path, Type.DIRECTORY, mode, 0, null, mtime);
        if (e.isFile()) return new Entry(path, Type.FILE, mode, e.getSize(), null, mtime);
        return new Entry(path, Type.OTHER, mode, 0, null, mtime);
    }

    /** "./usr/bin/x" and "/usr/bin/x" become "usr/bin/x"; "./" becomes "". */
    static String relative(String name) {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        while (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        return n.equals(".") ? "" : n;
    }

    static void parseControl(String text, Map<String, String> fields) {
        String key = null;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            if ((line.startsWith(" ") || line.startsWith("\t")) && key != null) {
                fields.merge(key, "\n" + line.substring(1), String::concat);
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) continue;
                key = line.substring(0, colon).trim();
                fields.put(key, line.substring(colon + 1).trim());
            }
        }
    }

    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the ar stream is closed by its owner
        }
    }
}
