package org.initrdharness.replay;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.initrdharness.files.AtomicFiles;

/**
 * One boot in one file (tar, zstd): {@code inputs.json}, the artifact directory's files under
 * {@code evidence/} and every input the replay needs under {@code blobs/<sha256>}, each content
 * once however many inputs share it. Typed secrets are in none of it: the console log and the
 * timeline never held them, and inputs.json lists them as "&lt;secret&gt;".
 */
public final class Bundle {
    public static final String EVIDENCE = "evidence/";
    public static final String BLOBS = "blobs/";
    private static final Pattern NAME = Pattern.compile("inputs\\.json|evidence/[A-Za-z0-9._-]+|blobs/[0-9a-f]{64}");

    /** What a bundle holds. */
    public record Summary(Path file, long bytes, int inputs, int blobs, long inputBytes) {
        public String describe() {
            return String.format("%s: %,d bytes (%d inputs in %d blobs, %,d bytes before compression)", file, bytes, inputs,
                    blobs, inputBytes);
        }
    }

    /** A bundle unpacked: its manifest, its evidence directory and the files of its inputs. */
    public record Unpacked(Path dir, BootManifest manifest, Path evidence, Map<String, Path> inputs) {}

    private Bundle() {}

    /**
     * Packs the boot recorded in {@code artifactDir} into {@code out} (written to a temporary file
     * and renamed); inputs no longer at their path are looked for in {@code cache}.
     */
    public static Summary write(Path artifactDir, Path out, Path cache) throws IOException {
        Path manifestFile = artifactDir.resolve(BootManifest.FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IOException(artifactDir + " has no " + BootManifest.FILE + ": give the artifact directory of a boot"
                    + " recorded by this harness");
        }
        BootManifest manifest = BootManifest.read(manifestFile);
        Map<String, Path> files = new InputFinder(cache).find(manifest);
        Map<String, Path> blobs = new LinkedHashMap<>();
        for (BootInput in : manifest.inputs()) {
            if (files.containsKey(in.id())) blobs.putIfAbsent(in.sha256(), files.get(in.id()));
        }
        long[] inputBytes = {0};
        AtomicFiles.write(out, os -> {
            ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(new BufferedOutputStream(os, 1 << 16), 3);
            z.setWorkers(2);
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(z)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                add(tar, manifestFile, BootManifest.FILE);
                for (Path f : evidence(artifactDir)) add(tar, f, EVIDENCE + f.getFileName());
                for (Map.Entry<String, Path> b : blobs.entrySet()) {
                    add(tar, b.getValue(), BLOBS + b.getKey());
                    inputBytes[0] += Files.size(b.getValue());
                }
            }
        });
        // Evidence to hand on (CI uploads it): readable like the logs beside it, not the temporary file's 0600.
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        return new Summary(out, Files.size(out), files.size(), blobs.size(), inputBytes[0]);
    }

    /** The artifact directory's own files (not its subdirectories, not inputs.json, which goes first). */
    private static List<Path> evidence(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> NAME.matcher(EVIDENCE + p.getFileName()).matches())
                    .filter(p -> !p.getFileName().toString().equals(BootManifest.FILE))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    private static void add(TarArchiveOutputStream tar, Path file, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(Files.size(file));
        e.setMode(0100644);
        e.setModTime(Files.getLastModifiedTime(file).toMillis());
        tar.putArchiveEntry(e);
        Files.copy(file, tar);
        tar.closeArchiveEntry();
    }

    /** Whether {@code file} looks like a bundle (by name): the repro command's argument may be either. */
    public static boolean isBundle(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString();
        return Files.isRegularFile(file) && (n.endsWith(".tar.zst") || n.endsWith(".tzst"));
    }

    /**
     * Unpacks {@code file} into {@code dir}; every blob is checked against its hash and made
     * read-only (a replay writes to fresh overlays, never to them).
     */
    public static Unpacked unpack(Path file, Path dir) throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        try (InputStream in = new ZstdInputStreamNoFinalizer(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (!e.isFile() || !NAME.matcher(name).matches()) {
                    throw new IOException(file + ": entry '" + name + "' is not part of a boot bundle");
                }
                if (!seen.add(name)) throw new IOException(file + ": entry '" + name + "' is there twice");
                Path target = dir.resolve(name);
                Files.createDirectories(target.getParent());
                MessageDigest md = Sha256.digest();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), md)) {
                    tar.transferTo(out);
                }
                if (name.startsWith(BLOBS)) {
                    String hex = HexFormat.of().formatHex(md.digest());
                    if (!name.equals(BLOBS + hex)) {
                        throw new IOException(file + ": " + name + " holds content of sha256 " + hex + ": the bundle is damaged");
                    }
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r--r--"));
                }
            }
        } catch (com.github.luben.zstd.ZstdIOException z) {
            throw new IOException(file + " is not a zstd-compressed bundle: " + z.getMessage(), z);
        }
        if (!seen.contains(BootManifest.FILE)) throw new IOException(file + " has no " + BootManifest.FILE + ": not a boot bundle");
        BootManifest manifest = BootManifest.read(dir.resolve(BootManifest.FILE));
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (BootInput in : manifest.inputs()) {
            if (!in.needed()) continue;
            Path blob = dir.resolve(BLOBS + in.sha256());
            if (!Files.isRegularFile(blob)) {
                throw new IOException(file + ": input " + in.id() + " (sha256 " + in.sha256() + ") is missing from the bundle");
            }
            inputs.put(in.id(), blob);
        }
        return new Unpacked(dir, manifest, dir.resolve("evidence"), inputs);
    }
}
