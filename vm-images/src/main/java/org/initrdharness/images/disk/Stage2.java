package org.initrdharness.images.disk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Tools;

/**
 * The stage-2 root filesystem the test guests switch to: a static busybox, os-release (which
 * {@code systemctl switch-root} insists on) and an init that prints one line,
 * {@code STAGE2 {"arch":..,"uptime":..,"cmdline":..,"run":[..],"marks":{..}}}, and powers off.
 * With {@code stage2.shell=1} on the kernel command line it opens a shell on the console first.
 */
public final class Stage2 {
    /** The filesystem label: boot with {@code root=LABEL=stage2root}. */
    public static final String LABEL = "stage2root";
    /** The filesystem UUID: boot with {@code root=UUID=...}. */
    public static final String UUID = "5e72a9e0-0002-4a1b-8c3d-1a2b3c4d5e6f";
    /** What the init prints before its JSON object. */
    public static final String LINE_PREFIX = "STAGE2 ";
    /** Where stage-1 hooks and tests leave marks; stage 2 reports each file's content. */
    public static final String MARKS_DIR = "/run/harness";
    /** The kernel command-line switch that gives a shell on the console instead of powering off. */
    public static final String SHELL_SWITCH = "stage2.shell=1";
    /** Size of the ext4 image. */
    public static final long SIZE_BYTES = 32L << 20;

    static final String OS_RELEASE = """
            PRETTY_NAME="initrd-harness stage 2"
            NAME="initrd-harness stage 2"
            ID=initrd-harness-stage2
            VERSION_ID=1
            """;
    /** Every file in the image gets this time, so that the image depends only on its inputs. */
    static final long FIXED_TIME = 1_700_000_000L;
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    private Stage2() {
    }

    /** The init script, as installed at /sbin/init. */
    public static String initScript() {
        try (InputStream in = Stage2.class.getResourceAsStream("stage2-init.sh")) {
            if (in == null) throw new IllegalStateException("stage2-init.sh missing from the vm-images jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lays out the stage-2 tree in {@code dir} from a static busybox of the guest's arch. */
    public static void layout(Path busybox, Path dir) throws IOException {
        for (String d : List.of("bin", "sbin", "etc", "usr/lib", "proc", "sys", "dev", "run", "tmp", "root", "mnt")) {
            Files.createDirectories(dir.resolve(d));
        }
        Path bb = dir.resolve("bin/busybox");
        Files.copy(busybox, bb);
        Files.setPosixFilePermissions(bb, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String applet : Busybox.applets(busybox)) {
            Path link = dir.resolve("bin").resolve(applet);
            if (!Files.exists(link)) Files.createSymbolicLink(link, Path.of("busybox"));
        }
        Files.writeString(dir.resolve("usr/lib/os-release"), OS_RELEASE);
        Files.createSymbolicLink(dir.resolve("etc/os-release"), Path.of("../usr/lib/os-release"));
        Files.writeString(dir.resolve("etc/hostname"), "stage2\n");
        Path init = dir.resolve("sbin/init");
        Files.writeString(init, initScript());
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (!Files.isSymbolicLink(p)) Files.setLastModifiedTime(p, FileTime.fromMillis(FIXED_TIME * 1000));
            }
        }
    }

    /** Makes the ext4 image from the tree, without mounting anything. */
    public static void mkfs(Path dir, Path image) throws IOException {
        Path mkfs = Tools.require("mkfs.ext4", "e2fsprogs");
        Files.deleteIfExists(image);
        List<String> cmd = List.of(mkfs.toString(), "-q", "-F", "-t", "ext4", "-b", "4096", "-m", "0",
                "-L", LABEL, "-U", UUID, "-E", "root_owner=0:0,hash_seed=" + UUID,
                "-d", dir.toString(), image.toString(), (SIZE_BYTES >> 10) + "k");
        HostCommand.Result r = Tools.command(DEADLINE, cmd).env(Map.of("E2FSPROGS_FAKE_TIME",
                Long.toString(FIXED_TIME), "SOURCE_DATE_EPOCH", Long.toString(FIXED_TIME))).run();
        if (!r.ok()) {
            throw new ImagesException("mkfs.ext4 -d " + dir + " failed (exit " + r.exit() + "):\n" + r.tail(10));
        }
        fixTimes(dir, image);
    }

    /**
     * mkfs.ext4 1.47.0 copies each file's atime and ctime (which cannot be set on the host) into
     * the image: set every inode's times to {@link #FIXED_TIME} with debugfs, so that the same
     * tree always gives the same bytes.
     */
    static void fixTimes(Path dir, Path image) throws IOException {
        Path debugfs = Tools.require("debugfs", "e2fsprogs");
        List<String> paths = new java.util.ArrayList<>(List.of("/", "/lost+found"));
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> !p.equals(dir)).map(p -> "/" + dir.relativize(p)).sorted().forEach(paths::add);
        }
        StringBuilder cmds = new StringBuilder();
        for (String p : paths) {
            if (p.chars().anyMatch(c -> c <= ' ' || c == '"')) continue; // debugfs cannot name it; none here
            for (String f : List.of("atime", "ctime", "mtime", "crtime")) {
                cmds.append("sif ").append(p).append(' ').append(f).append(" @").append(FIXED_TIME).append('\n');
                cmds.append("sif ").append(p).append(' ').append(f).append("_extra 0\n");
            }
        }
        Path script = Files.createTempFile(image.getParent(), "debugfs", ".cmds");
        try {
            Files.writeString(script, cmds);
            HostCommand.Result r = Tools.command(DEADLINE, List.of(debugfs.toString(), "-w", "-f", script.toString(),
                    image.toString())).env("E2FSPROGS_FAKE_TIME", Long.toString(FIXED_TIME)).run();
            List<String> errors = r.lines().stream().filter(l -> !l.startsWith("debugfs") && !l.isBlank()).toList();
            if (!r.ok() || !errors.isEmpty()) {
                throw new ImagesException("debugfs could not set the times in " + image + ":\n"
                        + String.join("\n", errors.subList(0, Math.min(10, errors.size()))));
            }
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
