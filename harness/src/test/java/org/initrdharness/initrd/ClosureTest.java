package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.host.HostCommand;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.elf.Gcc;
import org.initrdharness.initrd.elf.SyntheticElf;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class ClosureTest {

    private static PlanEntry.RegularFile fileAt(InitrdPlan plan, String path) {
        Optional<PlanEntry> e = PlanPaths.follow(plan, path);
        assertTrue(e.isPresent(), path + " is not reachable in the plan: " + plan.entries());
        assertTrue(e.get() instanceof PlanEntry.RegularFile, path + " leads to " + e.get());
        return (PlanEntry.RegularFile) e.get();
    }

    private static void executable(Path... files) throws java.io.IOException {
        for (Path f : files) Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Data files are not opened: an ELF header hidden in a 0644 file without ".so" in its name is not followed. */
    @Test
    public void dataFilesAreNotReadAsElf() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.bytes("/usr/share/blob.bin", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_X86_64).needed("libnothere.so.1").bytes());
        InitrdPlan plan = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/share/blob.bin", "t").build();
        assertTrue(plan.contains(InitrdPath.of("/usr/share/blob.bin")));
        t.bytes("/usr/lib/plugin.so", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_X86_64).needed("libnothere.so.1").bytes());
        expectThrows(InitrdBuildException.class, () -> new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/lib/plugin.so", "t"));
    }

    /** An interpreter that is not an absolute path is a damaged file: named, not a path error about ''. */
    @Test
    public void anElfWithARelativeOrEmptyInterpreterIsNamed() throws Exception {
        for (String interp : new String[] {"", "ld.so"}) {
            TreeBuilder t = new TreeBuilder();
            t.bytes("/usr/bin/odd", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_X86_64).interp(interp).bytes());
            executable(t.sysroot().hostPath(InitrdPath.of("/usr/bin/odd")));
            InitrdBuildException e = expectThrows(InitrdBuildException.class,
                    () -> new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/odd", "t"));
            assertTrue(e.getMessage().contains("/usr/bin/odd") && e.getMessage().contains("'" + interp + "' as its interpreter"),
                    e.getMessage());
        }
    }

    private static String hostOutput(String... cmd) throws Exception {
        return HostCommand.of(Duration.ofSeconds(60), cmd).run().text();
    }

    /** Binaries of packages every host has or harness/bin/setup-host installs, at the paths their packages use. */
    @DataProvider
    public Object[][] hostBinaries() {
        return new Object[][] {{"/usr/bin/bash", "bash"}, {"/sbin/cryptsetup", "cryptsetup-bin"},
            {"/sbin/e2fsck", "e2fsprogs"}, {"/bin/kmod", "kmod"}, {"/usr/bin/qemu-img", "qemu-utils"},
            {"/usr/bin/zstd", "zstd"}};
    }

    /** The same libraries as ldd, each reachable at the path ldd names (links replicated). */
    @Test(dataProvider = "hostBinaries")
    public void hostBinariesGetWhatLddLists(String binary, String debianPackage) throws Exception {
        assertTrue(Files.exists(Path.of(binary)), binary + " is missing: install the Debian package " + debianPackage
                + " (harness/bin/setup-host installs it)");
        Closure c = new Closure(Sysroot.host(), InitrdPlan.builder());
        c.add(binary, "test");
        InitrdPlan plan = c.build();
        Matcher m = Pattern.compile("(/\\S+) \\(0x").matcher(hostOutput("ldd", binary));
        java.util.Set<Path> expected = new java.util.TreeSet<>();
        while (m.find()) {
            PlanEntry.RegularFile f = fileAt(plan, m.group(1));
            assertEquals(f.source(), Path.of(m.group(1)).toRealPath(), m.group(1));
            expected.add(f.source());
        }
        assertTrue(expected.size() >= 2, "ldd listed " + expected);
        java.util.Set<Path> got = new java.util.TreeSet<>();
        for (PlanEntry e : plan.entries()) if (e instanceof PlanEntry.RegularFile f) got.add(f.source());
        got.remove(Path.of(binary).toRealPath());
        assertEquals(got, expected);
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }

    @Test
    public void hostBashKeepsModeAndLinks() throws Exception {
        Closure c = new Closure(Sysroot.host(), InitrdPlan.builder());
        c.add("/usr/bin/bash", "test");
        InitrdPlan plan = c.build();
        PlanEntry.RegularFile bash = fileAt(plan, "/usr/bin/bash");
        assertTrue((bash.mode() & 0111) != 0, "bash keeps its execute bits");
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
        if (Files.isSymbolicLink(Path.of("/lib"))) {
            // merged /usr: ld.so's /lib64/... or libraries under /lib come with the link itself
            assertTrue(plan.entries().stream().anyMatch(e -> e instanceof PlanEntry.Symlink s
                    && (s.path().value().equals("/lib64") || s.path().value().equals("/lib"))), plan.entries().toString());
        }
    }

    @Test
    public void javaLauncherFindsLibjliThroughOrigin() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        Closure c = new Closure(Sysroot.host(), InitrdPlan.builder());
        c.add(java.toString(), "test");
        InitrdPlan plan = c.build();
        Path libjli = java.getParent().resolveSibling("lib").resolve("libjli.so");
        assertTrue(Files.exists(libjli), libjli.toString());
        fileAt(plan, libjli.toString());
        PlanEntry e = plan.get(InitrdPath.of(libjli.toRealPath().toString())).orElseThrow();
        assertTrue(e.reason().startsWith("DT_NEEDED of "), e.reason());
    }

    @Test
    public void rpathIsUsedAndInheritedWhenThereIsNoRunpath() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/r/libleaf.so.1", "libleaf.so.1", List.of(), List.of());
        t.library("/usr/lib/libleaf.so.1", "libleaf.so.1", List.of(), List.of()); // a decoy later in the search
        t.library("/opt/r/libmid.so.1", "libmid.so.1", List.of("libleaf.so.1"), List.of("/opt/r"));
        t.executable("/usr/bin/app", List.of("libmid.so.1"), List.of("/opt/r"), "-Wl,--disable-new-dtags,-rpath,/opt/r");
        assertTrue(ElfFile.read(t.host("/usr/bin/app")).rpath().isPresent());
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/usr/bin/app", "test");
        InitrdPlan plan = c.build();
        fileAt(plan, "/opt/r/libmid.so.1");
        fileAt(plan, "/opt/r/libleaf.so.1"); // via the executable's RPATH
        assertFalse(plan.contains(InitrdPath.of("/usr/lib/libleaf.so.1")));
    }

    @Test
    public void runpathIsNotInheritedAndTheMissingLibraryNamesItsChain() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/r/libleaf.so.1", "libleaf.so.1", List.of(), List.of());
        t.library("/opt/r/libmid.so.1", "libmid.so.1", List.of("libleaf.so.1"), List.of("/opt/r"));
        t.executable("/usr/bin/app", List.of("libmid.so.1"), List.of("/opt/r"), "-Wl,--enable-new-dtags,-rpath,/opt/r");
        assertTrue(ElfFile.read(t.host("/usr/bin/app")).runpath().isPresent());
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> c.add("/usr/bin/app", "test"));
        assertTrue(e.getMessage().contains("libleaf.so.1 needed by /opt/r/libmid.so.1 needed by /usr/bin/app"), e.getMessage());
        assertTrue(e.getMessage().contains("searched: "), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/lib"), e.getMessage());
        assertTrue(e.getMessage().contains("--allow-missing"), e.getMessage());

        Closure lenient = new Closure(t.sysroot(), InitrdPlan.builder(), ClosureOptions.defaults().withAllowMissing(true));
        lenient.add("/usr/bin/app", "test");
        assertEquals(lenient.warnings().size(), 1, lenient.warnings().toString());
        assertTrue(lenient.warnings().get(0).contains("libleaf.so.1 needed by /opt/r/libmid.so.1"), lenient.warnings().toString());
        fileAt(lenient.build(), "/opt/r/libmid.so.1");
    }

    @Test
    public void runpathWinsOverRpath() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/rpath/libprec.so.1", "libprec.so.1", List.of(), List.of());
        t.library("/opt/runpath/libprec.so.1", "libprec.so.1", List.of(), List.of());
        // No linker writes both tags any more; the loader's rule still applies to old binaries.
        t.bytes("/usr/bin/both", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_X86_64)
                .needed("libprec.so.1").rpath("/opt/rpath").runpath("/opt/runpath").bytes());
        t.bytes("/usr/bin/onlyrpath", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_X86_64)
                .needed("libprec.so.1").rpath("/opt/rpath").bytes());
        executable(t.host("/usr/bin/both"), t.host("/usr/bin/onlyrpath"));
        InitrdPlan both = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/both", "test").build();
        assertTrue(both.contains(InitrdPath.of("/opt/runpath/libprec.so.1")));
        assertFalse(both.contains(InitrdPath.of("/opt/rpath/libprec.so.1")));
        InitrdPlan only = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/onlyrpath", "test").build();
        assertTrue(only.contains(InitrdPath.of("/opt/rpath/libprec.so.1")));
    }

    @Test
    public void originIsTheDirectoryOfTheObject() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/app/lib/libo.so.1", "libo.so.1", List.of(), List.of());
        t.executable("/opt/app/bin/tool", List.of("libo.so.1"), List.of("/opt/app/lib"),
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib");
        t.link("/usr/bin/tool", "../../opt/app/bin/tool");
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/usr/bin/tool", "test");
        InitrdPlan plan = c.build();
        fileAt(plan, "/usr/bin/tool");
        assertEquals(fileAt(plan, "/opt/app/lib/libo.so.1").source(), t.host("/opt/app/lib/libo.so.1").toRealPath());
        assertEquals(((PlanEntry.Symlink) plan.get(InitrdPath.of("/usr/bin/tool")).orElseThrow()).target(),
                "../../opt/app/bin/tool");
    }

    @Test
    public void ldSoConfAndItsIncludesAreReadInsideTheSysroot() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/conf/libc1.so.1", "libc1.so.1", List.of(), List.of());
        t.library("/opt/deeper/libc2.so.1", "libc2.so.1", List.of(), List.of());
        t.file("/etc/ld.so.conf", "# top\ninclude /etc/ld.so.conf.d/*.conf\n");
        t.file("/etc/ld.so.conf.d/a.conf", "/opt/conf   # the first\nhwcap 0 nosegneg\ninclude more/*.conf\n");
        t.file("/etc/ld.so.conf.d/more/b.conf", "/opt/deeper\n");
        t.file("/etc/ld.so.conf.d/ignored.txt", "/opt/never\n");
        t.executable("/usr/bin/app", List.of("libc1.so.1", "libc2.so.1"), List.of("/opt/conf", "/opt/deeper"));
        Sysroot s = t.sysroot();
        assertEquals(LdSoConf.directories(s), List.of(InitrdPath.of("/opt/conf"), InitrdPath.of("/opt/deeper")));
        Closure noCache = new Closure(s, InitrdPlan.builder());
        InitrdPlan plan = noCache.add("/usr/bin/app", "test").build();
        fileAt(plan, "/opt/conf/libc1.so.1");
        fileAt(plan, "/opt/deeper/libc2.so.1");
        // ld.so in the initrd finds these only through a cache
        assertTrue(noCache.warnings().stream().anyMatch(w -> w.contains("no /etc/ld.so.cache")), noCache.warnings().toString());
        t.file("/etc/ld.so.cache", "glibc-ld.so.cache1.1");
        InitrdPlan withCache = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/app", "test").build();
        assertEquals(withCache.get(InitrdPath.of("/etc/ld.so.cache")).orElseThrow().reason(),
                "ld.so.conf directory /opt/conf (for libc1.so.1)");
    }

    @Test
    public void candidatesOfAnotherMachineOrClassAreSkipped() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.bytes("/lib/x86_64-linux-gnu/libw.so.1", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_AARCH64)
                .soname("libw.so.1").bytes());
        t.library("/usr/lib/libw.so.1", "libw.so.1", List.of(), List.of());
        t.executable("/usr/bin/app", List.of("libw.so.1"), List.of("/usr/lib"));
        // The executable's machine, in the other class: written by the test, as no host compiler makes it everywhere.
        int machine = ElfFile.read(t.host("/usr/bin/app")).machine();
        t.bytes("/usr/lib/x86_64-linux-gnu/libw.so.1", SyntheticElf.of(false, ByteOrder.LITTLE_ENDIAN, machine)
                .soname("libw.so.1").bytes());
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        InitrdPlan plan = c.add("/usr/bin/app", "test").build();
        assertTrue(plan.contains(InitrdPath.of("/usr/lib/libw.so.1")));
        assertFalse(plan.contains(InitrdPath.of("/lib/x86_64-linux-gnu/libw.so.1")));
        assertFalse(plan.contains(InitrdPath.of("/usr/lib/x86_64-linux-gnu/libw.so.1")));

        ElfFile app = ElfFile.read(t.host("/usr/bin/app"));
        LibraryResolver.Lookup l = c.libraries().find("libw.so.1",
                new LibraryResolver.Loaded(InitrdPath.of("/usr/bin/app"), app, null));
        assertTrue(String.join("\n", l.searched()).contains("machine 183"), l.searched().toString());
        assertTrue(String.join("\n", l.searched()).contains("ELF32 machine " + machine), l.searched().toString());
    }

    @Test
    public void mergedUsrLinksAreReplicatedAsLinks() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.dir("/usr/lib64").dir("/usr/bin").link("/lib", "usr/lib").link("/bin", "usr/bin").link("/lib64", "usr/lib64");
        t.file("/usr/lib/modules-load.d/x.conf", "virtio_blk\n");
        t.library("/usr/lib/x86_64-linux-gnu/libm1.so.1", "libm1.so.1", List.of(), List.of());
        t.executable("/usr/bin/app", List.of("libm1.so.1"), List.of("/usr/lib/x86_64-linux-gnu"));
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/lib/modules-load.d/x.conf", "test");
        c.add("/bin/app", "test");
        InitrdPlan plan = c.build();
        assertEquals(plan.get(InitrdPath.of("/lib")).orElseThrow(),
                new PlanEntry.Symlink(InitrdPath.of("/lib"), "usr/lib", "symlink chain of /lib/modules-load.d/x.conf"));
        assertTrue(plan.get(InitrdPath.of("/bin")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(plan.get(InitrdPath.of("/usr/lib/modules-load.d/x.conf")).orElseThrow() instanceof PlanEntry.RegularFile);
        assertTrue(plan.get(InitrdPath.of("/usr/bin/app")).orElseThrow() instanceof PlanEntry.RegularFile);
        fileAt(plan, "/usr/lib/x86_64-linux-gnu/libm1.so.1");
        // resolveInPlan puts generated files under the link's target
        assertEquals(c.resolveInPlan(InitrdPath.of("/lib/systemd/x")), InitrdPath.of("/usr/lib/systemd/x"));
        c.addPlaced(PlanEntry.Generated.text(InitrdPath.of("/lib/modules-load.d/y.conf"), "ext4\n", 0644, "t"));
        assertTrue(c.build().get(InitrdPath.of("/usr/lib/modules-load.d/y.conf")).orElseThrow() instanceof PlanEntry.Generated);
    }

    @Test(timeOut = 10_000)
    public void symlinkLoopsAreKeptAsLinksWithAWarning() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.link("/a", "b").link("/b", "/a").link("/self", "self").link("/d/loop", "../d/loop2").link("/d/loop2", "loop");
        t.file("/d/ok", "x");
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/a", "test");
        c.add("/self", "test");
        c.add("/d", "test");
        InitrdPlan plan = c.build();
        assertEquals(((PlanEntry.Symlink) plan.get(InitrdPath.of("/a")).orElseThrow()).target(), "b");
        assertEquals(((PlanEntry.Symlink) plan.get(InitrdPath.of("/b")).orElseThrow()).target(), "/a");
        assertTrue(plan.get(InitrdPath.of("/self")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(plan.get(InitrdPath.of("/d/loop2")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(plan.get(InitrdPath.of("/d/ok")).orElseThrow() instanceof PlanEntry.RegularFile);
        List<String> loops = c.warnings().stream().filter(w -> w.contains("loop")).toList();
        assertTrue(loops.size() >= 3, c.warnings().toString());
        assertTrue(loops.get(0).contains("a loop: /a -> b, /b -> /a, and round again"), loops.get(0));
        assertTrue(loops.get(0).length() < 200, loops.get(0));
    }

    @Test
    public void linksCannotLeaveTheSysroot() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/etc/shadow", "inside");
        t.link("/etc/abs", "/../../etc/shadow");
        t.link("/etc/rel", "../../../../../../etc/shadow");
        t.link("/usr/hop", "/../..");
        t.link("/etc/outside", "/../../etc/hostname"); // exists on the host, not in the sysroot
        Sysroot s = t.sysroot();
        Closure c = new Closure(s, InitrdPlan.builder());
        c.add("/etc/abs", "test").add("/etc/rel", "test").add("/usr/hop/etc/shadow", "test");
        InitrdPlan plan = c.build();
        Path inside = t.host("/etc/shadow").toRealPath();
        assertEquals(fileAt(plan, "/etc/abs").source(), inside);
        assertEquals(fileAt(plan, "/etc/rel").source(), inside);
        assertEquals(s.resolve(InitrdPath.of("/usr/hop/etc/shadow")).resolved(), InitrdPath.of("/etc/shadow"));
        for (PlanEntry e : plan.entries()) {
            if (e instanceof PlanEntry.RegularFile f) assertTrue(f.source().startsWith(s.root()), f.source().toString());
        }
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> c.add("/etc/outside", "test"));
        assertTrue(e.getMessage().contains("/etc/hostname is missing"), e.getMessage());
    }

    @Test
    public void directoriesAreRecursedWithReasons() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/usr/src/headers/big.h", "h").link("/usr/lib/foo/build", "/usr/src/headers").link("/usr/lib/foo/up", "..");
        t.file("/usr/lib/foo/a", "a").file("/usr/lib/foo/sub/b", "b").link("/usr/lib/foo/c", "a")
                .link("/usr/lib/foo/masked.service", "/dev/null").dir("/usr/lib/foo/empty");
        Files.setPosixFilePermissions(t.host("/usr/lib/foo/sub"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/usr/lib/foo", "test");
        InitrdPlan plan = c.build();
        assertEquals(plan.get(InitrdPath.of("/usr/lib/foo/sub/b")).orElseThrow().reason(), "in directory /usr/lib/foo/sub");
        assertEquals(((PlanEntry.Directory) plan.get(InitrdPath.of("/usr/lib/foo/sub")).orElseThrow()).mode(), 0700);
        assertTrue(plan.get(InitrdPath.of("/usr/lib/foo/empty")).orElseThrow() instanceof PlanEntry.Directory);
        assertTrue(plan.get(InitrdPath.of("/usr/lib/foo/c")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(plan.get(InitrdPath.of("/usr/lib/foo/masked.service")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("/dev/null")), c.warnings().toString());
        // links to directories bring the directory, not its contents
        assertTrue(plan.get(InitrdPath.of("/usr/src/headers")).orElseThrow() instanceof PlanEntry.Directory);
        assertFalse(plan.contains(InitrdPath.of("/usr/src/headers/big.h")));
        assertTrue(plan.get(InitrdPath.of("/usr/lib/foo/up")).orElseThrow() instanceof PlanEntry.Symlink);
        assertFalse(plan.contains(InitrdPath.of("/usr/lib/x")));
    }

    @Test
    public void hardLinkedSourcesStaySeparateFiles() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/usr/bin/one", "same");
        Files.createLink(t.host("/usr/bin/two"), t.host("/usr/bin/one"));
        InitrdPlan plan = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/one", "t").add("/usr/bin/two", "t").build();
        PlanEntry.RegularFile one = fileAt(plan, "/usr/bin/one");
        PlanEntry.RegularFile two = fileAt(plan, "/usr/bin/two");
        assertNotEquals(one.source(), two.source());
        assertEquals(Files.readAttributes(one.source(), "unix:ino").get("ino"), Files.readAttributes(two.source(), "unix:ino").get("ino"));
    }

    @Test
    public void deviceNodesAreKept() throws Exception {
        Sysroot host = Sysroot.host();
        assertEquals(host.lstat(InitrdPath.of("/dev/null")).kind(), Sysroot.Kind.CHAR_DEVICE,
                "the host's /dev/null (every Linux /dev has it as a character device)");
        InitrdPlan plan = new Closure(host, InitrdPlan.builder()).add("/dev/null", "t").build();
        assertEquals(plan.get(InitrdPath.of("/dev/null")).orElseThrow(),
                new PlanEntry.DeviceNode(InitrdPath.of("/dev/null"), 'c', 1, 3, 0666, "t"));
    }

    @Test
    public void missingSourceFailsUnlessAllowed() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.link("/lib", "usr/lib");
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> new Closure(t.sysroot(), InitrdPlan.builder()).add("/lib/nothing", "contents list"));
        assertTrue(e.getMessage().contains("/lib/nothing does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("via /lib -> usr/lib"), e.getMessage());
        assertTrue(e.getMessage().contains("contents list"), e.getMessage());
        Closure lenient = new Closure(t.sysroot(), InitrdPlan.builder(), ClosureOptions.defaults().withAllowMissing(true));
        lenient.add("/lib/nothing", "contents list");
        assertEquals(lenient.warnings().size(), 1);
        assertFalse(new Closure(t.sysroot(), InitrdPlan.builder()).addIfExists(InitrdPath.of("/nothing"), "t"));
    }

    @Test
    public void dlopenNotesAddLibrariesUpToThePriority() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/usr/lib/libwanted.so.1", "libwanted.so.1", List.of(), List.of());
        t.library("/usr/lib/libextra.so.2", "libextra.so.2", List.of(), List.of());
        String json = "[{\"feature\":\"w\",\"soname\":[\"libabsent.so.9\",\"libwanted.so.1\"],\"priority\":\"recommended\"},"
                + "{\"feature\":\"x\",\"soname\":[\"libextra.so.2\"],\"priority\":\"suggested\"}]";
        int descsz = (json.length() + 1 + 3) / 4 * 4;
        String src = "struct n { unsigned namesz, descsz, type; char name[4]; char desc[" + descsz + "]; };\n"
                + "__attribute__((used, aligned(4), section(\".note.dlopen\"))) static const struct n note = {4, "
                + descsz + ", 0x407c0c0a, \"FDO\", \"" + json.replace("\"", "\\\"") + "\"};\nint main(void){return 0;}\n";
        Gcc.compile(t.host("/usr/bin/dl"), src, "-nostdlib", "-Wl,-e,main");
        Path interp = Path.of(ElfFile.read(t.host("/usr/bin/dl")).interpreter().orElse("/none"));
        if (Files.exists(interp)) {
            Files.createDirectories(t.host(interp.toString()).getParent());
            Files.copy(interp.toRealPath(), t.host(interp.toString()));
        }
        InitrdPlan none = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/dl", "t").build();
        assertFalse(none.contains(InitrdPath.of("/usr/lib/libwanted.so.1")));
        InitrdPlan rec = new Closure(t.sysroot(), InitrdPlan.builder(),
                ClosureOptions.defaults().withDlopen(ClosureOptions.DlopenPriority.RECOMMENDED)).add("/usr/bin/dl", "t").build();
        assertEquals(rec.get(InitrdPath.of("/usr/lib/libwanted.so.1")).orElseThrow().reason(), "dlopen (w) of /usr/bin/dl");
        assertFalse(rec.contains(InitrdPath.of("/usr/lib/libextra.so.2")));
        InitrdPlan sug = new Closure(t.sysroot(), InitrdPlan.builder(),
                ClosureOptions.defaults().withDlopen(ClosureOptions.DlopenPriority.SUGGESTED)).add("/usr/bin/dl", "t").build();
        assertTrue(sug.contains(InitrdPath.of("/usr/lib/libextra.so.2")));
    }

    @Test
    public void librariesAndExecutablesByName() throws Exception {
        Closure c = new Closure(Sysroot.host(), InitrdPlan.builder());
        c.addExecutable("bash", "t");
        c.addLibrary("libc.so.6", "t");
        InitrdPlan plan = c.build();
        assertTrue(c.findExecutable("bash").isPresent());
        List<String> files = new ArrayList<>();
        for (PlanEntry e : plan.entries()) if (e instanceof PlanEntry.RegularFile f) files.add(f.path().value());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("/libc.so.6")), files.toString());
        expectThrows(InitrdBuildException.class, () -> c.addExecutable("no-such-tool-here", "t"));
    }

    @Test
    public void executablesInDirectoriesBringTheirLibraries() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/usr/lib/x86_64-linux-gnu/libgen.so.1", "libgen.so.1", List.of(), List.of());
        t.executable("/usr/lib/systemd/system-generators/gen", List.of("libgen.so.1"), List.of("/usr/lib/x86_64-linux-gnu"));
        t.file("/usr/lib/systemd/system-generators/README", "x".repeat(100));
        InitrdPlan plan = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/lib/systemd/system-generators", "t").build();
        assertEquals(plan.get(InitrdPath.of("/usr/lib/x86_64-linux-gnu/libgen.so.1")).orElseThrow().reason(),
                "DT_NEEDED of /usr/lib/systemd/system-generators/gen");
    }

    @Test
    public void libAndPlatformTokensAreExpanded() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/lib/x86_64-linux-gnu/libl.so.1", "libl.so.1", List.of(), List.of());
        t.library("/opt/p/x86_64/libp.so.1", "libp.so.1", List.of(), List.of());
        t.bytes("/usr/bin/tok", SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_X86_64)
                .needed("libl.so.1", "libp.so.1").runpath("/opt/$LIB:/opt/p/${PLATFORM}").bytes());
        executable(t.host("/usr/bin/tok"));
        InitrdPlan plan = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/tok", "t").build();
        assertTrue(plan.contains(InitrdPath.of("/opt/lib/x86_64-linux-gnu/libl.so.1")));
        assertTrue(plan.contains(InitrdPath.of("/opt/p/x86_64/libp.so.1")));
    }

    /** libsystemd-core has no RUNPATH; it finds libsystemd-shared because systemd's RUNPATH loaded it first. */
    @Test
    public void alreadyLoadedSiblingsSatisfyLibrariesWithoutRunpath() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.library("/opt/priv/libshared.so.1", "libshared.so.1", List.of(), List.of());
        t.library("/opt/priv/libcore.so.1", "libcore.so.1", List.of("libshared.so.1"), List.of("/opt/priv"));
        t.executable("/usr/bin/init", List.of("libcore.so.1", "libshared.so.1"), List.of("/opt/priv"),
                "-Wl,--enable-new-dtags,-rpath,/opt/priv");
        InitrdPlan plan = new Closure(t.sysroot(), InitrdPlan.builder()).add("/usr/bin/init", "t").build();
        assertTrue(plan.contains(InitrdPath.of("/opt/priv/libshared.so.1")));
        assertTrue(plan.contains(InitrdPath.of("/opt/priv/libcore.so.1")));
        // Alone, libcore's own search finds nothing: the error names it.
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> new Closure(t.sysroot(), InitrdPlan.builder()).add("/opt/priv/libcore.so.1", "t"));
        assertTrue(e.getMessage().contains("libshared.so.1 needed by /opt/priv/libcore.so.1 (t)"), e.getMessage());
        assertTrue(e.getMessage().contains("no file in the initrd is called libshared.so.1"), e.getMessage());
        // Listed before the executable that finds its sibling (a file list read from dracut's
        // image comes in any order), the library is not an error: its loader provides the name.
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.addAll(List.of(InitrdPath.of("/opt/priv/libcore.so.1"), InitrdPath.of("/usr/bin/init")), "t");
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }
}
