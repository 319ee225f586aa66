package org.initrdharness.images.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.initrdharness.cli.CliCommand;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Progress;
import org.initrdharness.images.Release;
import org.initrdharness.images.VmImages;
import org.initrdharness.images.storage.Provisioner;
import org.initrdharness.images.storage.StorageDisks;
import org.initrdharness.images.storage.StorageLayout;
import org.initrdharness.images.storage.StorageLayouts;
import org.initrdharness.vm.Arch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code initrd-harness images}: builds or reuses the guest images of each arch and says where they are. */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = {"Builds (or finds in the cache) the guest images of each release and arch from Debian packages:",
            "kernel and modules, systemd stage-1 sysroot, stage-2 root disk and its LUKS2 volume."})
public final class ImagesCommand implements Callable<Integer>, CliCommand {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Path.class, ToStringSerializer.instance)
            .addSerializer(Arch.class, new StdSerializer<>(Arch.class) {
                @Override
                public void serialize(Arch a, JsonGenerator gen, SerializerProvider provider) throws IOException {
                    gen.writeString(a.id());
                }
            }));

    @Option(names = "--arch", required = true, paramLabel = "ARCH",
            description = "x86_64 or aarch64; repeat for both")
    List<String> arches;

    @Option(names = "--release", paramLabel = "RELEASE",
            description = "bookworm (Debian 12, systemd 252, the default) or trixie (Debian 13, systemd 257); repeat for both")
    List<String> releases;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "cache directory (default: $INITRD_HARNESS_CACHE or ~/.cache/initrd-harness)")
    Path cache;

    @Option(names = "--json", description = "print one JSON object per release and arch (one per line)")
    boolean json;

    @Option(names = "--quiet", description = "no progress on standard error")
    boolean quiet;

    @Option(names = "--storage", paramLabel = "LAYOUT",
            description = "also provision this storage layout's disks in a guest (cached), e.g. lvm-two-disks; repeat for more")
    List<String> storage;

    @Option(names = "--prune", description = "delete this arch's older cache entries (other package versions or recipes)")
    boolean prune;

    @Override
    public Integer call() {
        Path dir = cache != null ? cache.toAbsolutePath() : CacheDirectory.root();
        Progress progress = quiet ? Progress.silent() : Progress.stderr();
        try {
            List<Arch> parsed = arches.stream().map(Arch::parse).toList();
            List<Release> rels = releases == null ? List.of(Release.DEFAULT) : releases.stream().map(Release::parse).toList();
            List<StorageLayout> layouts = storage == null ? List.of() : storage.stream().map(StorageLayouts::byName).toList();
            for (Release release : rels) for (Arch arch : parsed) {
                GuestImages g = VmImages.ensure(arch, release, dir, progress);
                if (prune) {
                    for (Path removed : VmImages.prune(g, dir)) progress.report("pruned " + removed);
                }
                if (json) {
                    System.out.println(toJson(g));
                } else {
                    System.out.println(g.release() + " " + g.arch().id() + ": systemd " + g.systemdVersion() + ", kernel "
                            + g.kernelVersion() + " " + g.kernel());
                    System.out.println("  modules   " + g.modules());
                    System.out.println("  sysroot   " + g.sysroot());
                    System.out.println("  rootDisk  " + g.rootDisk() + " (LABEL=" + g.rootLabel() + " UUID=" + g.rootUuid() + ")");
                    System.out.println("  luksDisk  " + g.luksDisk() + " (UUID=" + g.luksUuid() + ", passphrase '"
                            + g.luksPassphrase() + "', keyfile " + g.luksKeyfile() + ")");
                    System.out.println("  manifest  " + g.manifest());
                }
                for (StorageLayout layout : layouts) {
                    StorageDisks d = Provisioner.ensure(g, layout, dir, progress);
                    if (json) {
                        System.out.println(JSON.writeValueAsString(java.util.Map.of("release", g.release().id(), "arch",
                                g.arch().id(), "layout", layout.name(), "disks", new java.util.TreeMap<>(d.images()),
                                "provisioned", d.built(), "seconds", Math.round(d.seconds() * 10) / 10.0)));
                    } else {
                        System.out.printf(java.util.Locale.ROOT, "  storage   %s (%s in %.1f s)%n", layout.name(),
                                d.built() ? "provisioned" : "cached", d.seconds());
                        new java.util.TreeMap<>(d.images()).forEach((serial, file) ->
                                System.out.println("    " + serial + "  " + file));
                    }
                }
            }
            return 0;
        } catch (IllegalArgumentException | ImagesException e) {
            System.err.println("images: " + e.getMessage());
            return 2;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The images as one JSON object: paths as plain strings, the arch by its id. */
    static String toJson(GuestImages g) throws JsonProcessingException {
        return JSON.writeValueAsString(g);
    }
}
