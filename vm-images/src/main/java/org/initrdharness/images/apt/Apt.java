package org.initrdharness.images.apt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Progress;
import org.initrdharness.images.Tools;
import org.initrdharness.vm.Arch;

/**
 * The host's apt, used as a resolver and downloader for a guest arch: never to install.
 *
 * <p>Resolution asks apt to simulate installing the wanted packages on an empty system of the
 * guest's arch (an empty dpkg status file, {@code APT::Architecture} set to the guest's): the
 * "Inst" lines are then exactly the closure apt would install, with alternatives and virtual
 * packages decided by apt's own resolver, and nothing of the host's installed set leaking in.
 */
public final class Apt {
    private static final Pattern INST = Pattern.compile("^Inst (\\S+) \\((\\S+) .*\\[(\\S+)\\]\\)");
    private static final Pattern GET = Pattern.compile("^Get:(\\d+) .* (\\S+) (\\S+) (\\S+) \\[([0-9.]+) ?([kMG]?B)\\]");
    private static final Path LISTS = Path.of("/var/lib/apt/lists");
    private static final Duration RESOLVE_DEADLINE = Duration.ofMinutes(5);
    // Generous for a slow mirror, but bounded: callers hold the image-cache lock meanwhile.
    private static final Duration DOWNLOAD_DEADLINE = Duration.ofMinutes(30);

    private final Path aptGet;
    private final Path work;
    private final AptSources sources;

    /**
     * The host's apt with its own sources.
     *
     * @param work a scratch directory for apt's empty status file and package cache
     */
    public Apt(Path work) {
        this(work, AptSources.host());
    }

    /** apt pointed at {@code sources} (a release's own lists, see {@link AptSources#of}). */
    public Apt(Path work, AptSources sources) {
        this.aptGet = findAptGet();
        this.work = work;
        this.sources = sources;
    }

    /** Fetches the sources' lists when they are missing or old (nothing for the host's). */
    public void update(Progress progress) throws IOException {
        sources.update(aptGet, progress);
    }

    /** A fingerprint of the lists and sources this apt reads (see {@link #listsStamp()}). */
    public String stamp() throws IOException {
        if (sources.release() == null) return listsStamp();
        return listsStamp(sources.lists(), sources.dir());
    }

    private static Path findAptGet() {
        try {
            return Tools.require("apt-get", "apt");
        } catch (ImagesException e) {
            throw new ImagesException("apt-get not found: guest images are built from Debian 12 packages with the host's"
                    + " apt; run on a Debian or Ubuntu host with bookworm sources (see harness/bin/setup-host)");
        }
    }

    /**
     * A fingerprint of apt's package lists and sources (names, sizes, modification times): when
     * it is unchanged, a resolution made earlier is still what apt would answer.
     */
    public static String listsStamp() throws IOException {
        return listsStamp(LISTS, Path.of("/etc/apt"));
    }

    /** {@link #listsStamp()} for the lists in {@code lists} and the sources under {@code etcApt}. */
    static String listsStamp(Path lists, Path etcApt) throws IOException {
        List<String> parts = new ArrayList<>();
        for (Path dir : List.of(lists, etcApt.resolve("sources.list.d"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) parts.add(stamp(p));
            }
        }
        Path sources = etcApt.resolve("sources.list");
        if (Files.exists(sources)) parts.add(stamp(sources));
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(String.join("\n", parts).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stamp(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return p.getFileName() + " " + a.size() + " " + a.lastModifiedTime().toMillis();
    }

    /** Fails unless apt knows packages of this arch (a foreign arch must be added and its lists fetched). */
    public void requireArch(Arch arch) throws IOException {
        if (sources.release() != null) return; // a release's own lists hold every guest arch
        String want = "binary-" + arch.debianArch() + "_Packages";
        boolean lists = false;
        if (Files.isDirectory(LISTS)) {
            try (Stream<Path> s = Files.list(LISTS)) {
                lists = s.anyMatch(p -> p.getFileName().toString().contains(want));
            }
        }
        if (!lists) {
            throw new ImagesException("apt has no package lists for " + arch.debianArch() + " (" + arch.id()
                    + "): run as root `dpkg --add-architecture " + arch.debianArch() + " && apt-get update`"
                    + " (harness/bin/setup-host does it)");
        }
    }

    /** The closure apt would install for {@code wanted} on an empty {@code arch} system, sorted by name. */
    public List<DebPackage> resolve(Arch arch, List<String> wanted) throws IOException {
        requireArch(arch);
        Files.createDirectories(work);
        Path status = work.resolve("status");
        if (!Files.exists(status)) Files.writeString(status, "");
        Path cache = Files.createDirectories(work.resolve("apt-cache-" + arch.debianArch()));
        List<String> cmd = new ArrayList<>(List.of(aptGet.toString(), "--simulate", "--quiet"));
        cmd.addAll(sources.options());
        cmd.addAll(List.of("-o", "Debug::NoLocking=1",
                "-o", "Dir::State::status=" + status,
                "-o", "Dir::Cache=" + cache,
                "-o", "APT::Architecture=" + arch.debianArch(),
                "-o", "APT::Architectures::=" + arch.debianArch(),
                "-o", "APT::Install-Recommends=0",
                "-o", "APT::Install-Suggests=0",
                "install"));
        cmd.addAll(wanted);
        HostCommand.Result r = Tools.command(RESOLVE_DEADLINE, cmd).in(work).run();
        if (!r.ok()) {
            List<String> unknown = new ArrayList<>();
            for (String l : r.lines()) {
                Matcher m = Pattern.compile("Unable to locate package (\\S+)").matcher(l);
                if (m.find()) unknown.add(m.group(1));
            }
            if (!unknown.isEmpty()) {
                throw new ImagesException("unknown package(s) for " + arch.id() + " (" + arch.debianArch() + ") in "
                    + sources.label() + ": " + unknown
                        + ": check the name, or run `apt-get update` if the lists are old");
            }
            throw new ImagesException("apt cannot resolve " + wanted + " for " + arch.id() + " (" + arch.debianArch()
                    + ") in " + sources.label() + "; apt said:\n" + r.tail(15));
        }
        TreeSet<DebPackage> out = new TreeSet<>();
        for (String l : r.lines()) {
            Matcher m = INST.matcher(l);
            if (m.find()) out.add(new DebPackage(m.group(1), m.group(2), m.group(3)));
        }
        if (out.isEmpty()) {
            throw new ImagesException("apt resolved nothing for " + wanted + " (" + arch.id() + "); apt said:\n" + r.tail(15));
        }
        return List.copyOf(out);
    }

    /**
     * Downloads the packages not yet in {@code dir} with {@code apt-get download} (which checks
     * them against the signed lists), reporting each file as it arrives. apt writes into a
     * directory of this process's own and the files are renamed into {@code dir} only when apt
     * has finished: a download cut short (a killed run) leaves no truncated .deb where the next
     * run would take it for a whole one.
     */
    public void download(List<DebPackage> packages, Path dir, Progress progress, String label) throws IOException {
        Files.createDirectories(dir);
        List<DebPackage> missing = packages.stream().filter(p -> !Files.isRegularFile(dir.resolve(p.fileName()))).toList();
        if (missing.isEmpty()) return;
        removeAbandonedDownloads(dir);
        Path partial = dir.resolve(PARTIAL_PREFIX + ProcessHandle.current().pid());
        org.initrdharness.images.cache.ImageCache.deleteTree(partial);
        Files.createDirectories(partial);
        try {
            fetch(missing, partial, progress, label);
            for (DebPackage p : missing) {
                Files.move(partial.resolve(p.fileName()), dir.resolve(p.fileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            org.initrdharness.images.cache.ImageCache.deleteTree(partial);
        }
    }

    /** Where a download in progress lives, followed by the pid of the process downloading. */
    static final String PARTIAL_PREFIX = ".partial-";

    /** Download directories of processes that are gone (killed runs); live ones are another run's. */
    private static void removeAbandonedDownloads(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith(PARTIAL_PREFIX)).toList()) {
                String pid = p.getFileName().toString().substring(PARTIAL_PREFIX.length());
                boolean alive = pid.matches("[0-9]{1,18}") && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) org.initrdharness.images.cache.ImageCache.deleteTree(p);
            }
        }
    }

    private void fetch(List<DebPackage> missing, Path dir, Progress progress, String label) throws IOException {
        int total = missing.size();
        progress.report("download " + total + " package(s) for " + label);
        List<String> cmd = new ArrayList<>(List.of(aptGet.toString(), "download", "--quiet",
                "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root"));
        cmd.addAll(sources.options());
        cmd.addAll(AptSources.everyGuestArch());
        missing.forEach(p -> cmd.add(p.aptSpec()));
        HostCommand.Result r = Tools.command(DOWNLOAD_DEADLINE, cmd).in(dir).onLine(line -> {
            Matcher m = GET.matcher(line);
            if (m.find()) {
                progress.report("download " + label + " " + m.group(2) + " " + m.group(4),
                        Integer.parseInt(m.group(1)), total, bytes(m.group(5), m.group(6)));
            }
        }).run();
        List<DebPackage> still = missing.stream().filter(p -> !Files.isRegularFile(dir.resolve(p.fileName()))).toList();
        if (!r.ok() || !still.isEmpty()) {
            String out = r.text();
            String why = out.contains("Failed to fetch") || out.contains("Could not resolve") || out.contains("Unable to connect")
                    ? "the Debian archive is unreachable (check the network or proxy, then retry)"
                    : out.contains("Can't find a source") || out.contains("Unable to locate")
                    ? "apt's lists no longer offer that version (run `apt-get update` as root, then retry)"
                    : "apt-get download failed";
            throw new ImagesException(why + ": missing " + still + " for " + label + "; apt said:\n" + r.tail(10));
        }
    }

    private static long bytes(String n, String unit) {
        double v = Double.parseDouble(n);
        return (long) switch (unit) {
            case "kB" -> v * 1000;
            case "MB" -> v * 1000_000;
            case "GB" -> v * 1000_000_000;
            default -> v;
        };
    }
}
