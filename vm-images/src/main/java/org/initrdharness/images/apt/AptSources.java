package org.initrdharness.images.apt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Progress;
import org.initrdharness.images.Release;
import org.initrdharness.images.Tools;
import org.initrdharness.vm.Arch;

/**
 * Where apt reads its sources and keeps its lists: the host's own configuration, or a Debian
 * release's, kept in a directory of its own (sources list, lists, cache) so that the host's apt
 * sources are never changed. A release's lists serve every guest arch.
 *
 * @param label   what messages call it: "the host's sources" or "trixie"
 * @param lists   apt's list directory (its files fingerprint a resolution)
 * @param options the {@code -o} options that point apt there (empty for the host's)
 */
public record AptSources(String label, Path lists, List<String> options, Release release, Path dir) {
    /** Environment variable naming the Debian mirror (default {@value #DEFAULT_MIRROR}). */
    public static final String MIRROR_ENV = "INITRD_HARNESS_DEBIAN_MIRROR";
    public static final String SECURITY_MIRROR_ENV = "INITRD_HARNESS_DEBIAN_SECURITY_MIRROR";
    static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";
    static final String DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security";
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
    /** Lists older than this are fetched again; a failed fetch keeps the old ones. */
    static final Duration MAX_AGE = Duration.ofHours(24);
    private static final Duration UPDATE_DEADLINE = Duration.ofMinutes(15);
    private static final String UPDATED = "updated";

    /** The host's apt configuration, as {@code apt-get} reads it unasked. */
    public static AptSources host() {
        return new AptSources("the host's apt sources", Path.of("/var/lib/apt/lists"), List.of(), null, null);
    }

    /**
     * The sources of {@code release} in {@code dir} (created when missing), for both guest
     * arches. Call {@link #update} before resolving.
     */
    public static AptSources of(Release release, Path dir) throws IOException {
        Path lists = dir.resolve("lists");
        for (Path d : List.of(lists.resolve("partial"), dir.resolve("cache/archives/partial"), dir.resolve("parts"),
                dir.resolve("preferences"))) {
            Files.createDirectories(d);
        }
        List<String> o = new ArrayList<>();
        for (String[] kv : new String[][] {
            {"Dir::Etc::SourceList", dir.resolve("sources.list").toString()},
            {"Dir::Etc::SourceParts", dir.resolve("parts").toString()},
            {"Dir::Etc::Preferences", dir.resolve("preferences/none").toString()},
            {"Dir::Etc::PreferencesParts", dir.resolve("preferences").toString()},
            {"Dir::State::Lists", lists.toString()},
            {"Dir::Cache", dir.resolve("cache").toString()},
            {"Acquire::Languages", "none"},
        }) {
            o.add("-o");
            o.add(kv[0] + "=" + kv[1]);
        }
        AptSources s = new AptSources(release.id(), lists, List.copyOf(o), release, dir);
        Path list = dir.resolve("sources.list");
        String text = s.sourcesList();
        // Rewritten only when it changes: its mtime is part of the lists' fingerprint.
        if (!Files.isRegularFile(list) || !Files.readString(list).equals(text)) AtomicFiles.write(list, text);
        return s;
    }

    /**
     * Every guest arch, whatever the host's dpkg architectures are: for fetching lists and
     * packages. (Resolving names the one arch it resolves for instead.)
     */
    static List<String> everyGuestArch() {
        List<String> o = new ArrayList<>();
        for (Arch a : Arch.values()) {
            o.add("-o");
            o.add("APT::Architectures::=" + a.debianArch());
        }
        return o;
    }

    /** One line per suite: apt's one-line format takes a single suite per line. */
    String sourcesList() {
        if (!Files.isRegularFile(KEYRING)) {
            throw new ImagesException("Debian's archive keyring " + KEYRING + " is missing: install debian-archive-keyring"
                    + " (harness/bin/setup-host does it); " + release + " packages are checked against it");
        }
        String archs = String.join(",", java.util.Arrays.stream(Arch.values()).map(Arch::debianArch).toList());
        String opts = "[arch=" + archs + " signed-by=" + KEYRING + "]";
        StringBuilder sb = new StringBuilder("# " + release + " for initrd-harness guests; the host's apt sources are not used\n");
        for (String suite : release.suites()) sb.append("deb ").append(opts).append(' ').append(mirror()).append(' ').append(suite).append(" main\n");
        sb.append("deb ").append(opts).append(' ').append(securityMirror()).append(' ').append(release.securitySuite()).append(" main\n");
        return sb.toString();
    }

    static String mirror() {
        return env(MIRROR_ENV, DEFAULT_MIRROR);
    }

    static String securityMirror() {
        return env(SECURITY_MIRROR_ENV, DEFAULT_SECURITY_MIRROR);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /**
     * Fetches the release's lists when there are none or they are older than a day. A failed
     * fetch with lists already there goes on with them (and says so); with none it is an error.
     */
    public void update(Path aptGet, Progress progress) throws IOException {
        if (release == null) return;
        Path stamp = dir.resolve(UPDATED);
        boolean have = Files.isRegularFile(stamp);
        if (have && Files.getLastModifiedTime(stamp).toInstant().plus(MAX_AGE).isAfter(Instant.now())) return;
        progress.report("fetch " + release + " package lists from " + mirror() + " into " + lists);
        List<String> cmd = new ArrayList<>(List.of(aptGet.toString(), "update", "--quiet", "-o", "Debug::NoLocking=1",
                "-o", "APT::Sandbox::User=root"));
        cmd.addAll(options);
        cmd.addAll(everyGuestArch());
        HostCommand.Result r = Tools.command(UPDATE_DEADLINE, cmd).in(dir).run();
        boolean failed = !r.ok() || r.lines().stream().anyMatch(l -> l.startsWith("E:") || l.startsWith("W: Failed to fetch"));
        if (failed) {
            if (have) {
                progress.report("fetching " + release + " lists failed; using those of "
                        + Files.getLastModifiedTime(stamp) + ". apt said: " + r.tail(3));
                return;
            }
            throw new ImagesException("cannot fetch the " + release + " package lists from " + mirror() + " and "
                    + securityMirror() + " (check the network or proxy, or set " + MIRROR_ENV + " to a reachable mirror)"
                    + "; apt said:\n" + r.tail(10));
        }
        Files.writeString(stamp, Instant.now() + "\n");
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
    }
}
