package org.initrdharness.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.host.HostCommand;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdReader;

/**
 * Turns a dracut image back into input for our builder, so both build the same content: a
 * sysroot holding, at the image's paths, hard links to the host files (and kernel modules)
 * dracut copied, plus a contents list naming them, with the files dracut wrote itself (its
 * scripts, configuration, module indexes) as generated entries.
 *
 * @param sysroot the directory to pass as {@code --sysroot}
 * @param contents the contents list
 * @param copied files found on the host or in the module tree, byte for byte
 * @param generated files dracut made or changed, carried in the list
 */
public record DracutContents(Path sysroot, Path contents, int copied, int generated, int links, int directories) {

    /**
     * Builds the sysroot and contents list under {@code work} from the entries of the image's
     * main (first compressed) archive; uncompressed early archives (microcode) before it are
     * left to {@code --prepend}. The image's modules of {@code kernelVersion} are looked for in
     * {@code moduleDir}, other files at their paths on the host.
     */
    public static DracutContents from(InitrdReader.Contents image, String kernelVersion, Path moduleDir, Path work)
            throws IOException {
        int main = mainArchive(image);
        Path sysroot = work.resolve("sysroot");
        HostCommand.of(Duration.ofMinutes(2), "rm", "-rf", sysroot.toString()).check();
        Files.createDirectories(sysroot);
        Pattern modules = Pattern.compile("^/(?:usr/)?lib/modules/" + Pattern.quote(kernelVersion) + "/(.+)$");
        Set<String> parents = new HashSet<>();
        for (InitrdEntry e : image.entries()) {
            if (e.archive() < main) continue;
            int slash = e.path().lastIndexOf('/');
            if (slash > 0) parents.add(e.path().substring(0, slash));
        }
        List<Map<String, Object>> list = new ArrayList<>();
        int copied = 0;
        int generated = 0;
        int links = 0;
        int dirs = 0;
        for (InitrdEntry e : image.entries()) {
            if (e.archive() < main) continue;
            String path = e.path();
            Path inRoot = sysroot.resolve(path.substring(1));
            Map<String, Object> item = new LinkedHashMap<>();
            if (e.isDirectory()) {
                Files.createDirectories(inRoot);
                if (!parents.contains(path) || (e.mode() & 07777) != 0755) {
                    item.put("target", path);
                    item.put("directory", true);
                    item.put("mode", octal(e.mode()));
                    dirs++;
                }
            } else if (e.isSymlink()) {
                Files.createDirectories(inRoot.getParent());
                Files.createSymbolicLink(inRoot, Path.of(e.linkTarget()));
                item.put("source", path);
                links++;
            } else if (e.isDevice()) {
                item.put("target", path);
                item.put("device", e.typeLetter() == 'b' ? "b" : "c");
                item.put("major", e.rdevMajor());
                item.put("minor", e.rdevMinor());
                item.put("mode", octal(e.mode()));
            } else if (e.isRegularFile()) {
                Matcher m = modules.matcher(path);
                Path original = m.matches() ? moduleDir.resolve(m.group(1)) : Path.of(path);
                if (sameBytes(original, e) && sameMode(original, e)) {
                    Files.createDirectories(inRoot.getParent());
                    link(original.toRealPath(), inRoot);
                    item.put("source", path);
                    copied++;
                } else {
                    item.put("target", path);
                    item.put("base64", Base64.getEncoder().encodeToString(e.data()));
                    item.put("mode", octal(e.mode()));
                    generated++;
                }
            }
            if (!item.isEmpty()) list.add(item);
        }
        Path contents = work.resolve("contents.json");
        new ObjectMapper().writeValue(contents.toFile(), list);
        return new DracutContents(sysroot, contents, copied, generated, links, dirs);
    }

    /** The index of the first compressed archive (0 when all are plain). */
    public static int mainArchive(InitrdReader.Contents image) {
        for (InitrdReader.Part p : image.parts()) {
            if (p.compression() != org.initrdharness.initrd.Compression.Format.NONE) return p.index();
        }
        return 0;
    }

    /**
     * Copies the uncompressed early archives of {@code file} (everything before its first
     * compressed archive) to {@code early}; returns false when there are none.
     */
    public static boolean extractEarlyArchives(InitrdReader.Contents image, Path file, Path early) throws IOException {
        int main = mainArchive(image);
        if (main == 0) return false;
        long offset = image.parts().get(main).offset();
        try (java.io.InputStream in = Files.newInputStream(file)) {
            Files.write(early, in.readNBytes((int) offset));
        }
        return true;
    }

    private static boolean sameBytes(Path original, InitrdEntry e) throws IOException {
        if (!Files.isRegularFile(original) || Files.size(original) != e.size()) return false;
        return Arrays.equals(Files.readAllBytes(original), e.data());
    }

    /** A copy keeps the source's mode, so only a file with dracut's mode can be copied. */
    private static boolean sameMode(Path original, InitrdEntry e) throws IOException {
        int mode = (Integer) Files.getAttribute(original, "unix:mode");
        return (mode & 07777) == (e.mode() & 07777);
    }

    /** A hard link, cheap and the same file; a copy across file systems. */
    private static void link(Path original, Path inRoot) throws IOException {
        try {
            Files.createLink(inRoot, original);
        } catch (FileSystemException e) {
            Files.copy(original, inRoot, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }
}
