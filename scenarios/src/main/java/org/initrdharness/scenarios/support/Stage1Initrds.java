package org.initrdharness.scenarios.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.replay.Sha256;
import org.initrdharness.stage1.Stage1Assembler;
import org.initrdharness.stage1.Stage1Image;
import org.initrdharness.stage1.Stage1Options;

/**
 * The harness's own systemd initrds, built once per arch and options (and kept for later runs by
 * {@link Stage1Cache}) and shared by the scenarios that ask for the same thing.
 */
public final class Stage1Initrds {
    private static final ConcurrentHashMap<String, Path> BUILT = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Stage1Initrds() {
    }

    /**
     * What the scenarios' initrds are packed with: lz4, which the guest unpacks 0.3 s sooner than
     * zstd under TCG (its kernel decompresses at emulated speed, every boot), at its fast level:
     * written in 0.1-0.2 s instead of level 9's 0.8 s for 30 MB, unpacked as fast, 1.2 times
     * level 9's bytes. The builder's other formats boot in the stage-1 tests.
     */
    public static final Compression SCENARIO_COMPRESSION = Compression.parse("lz4:1");

    /** The initrd for these images and options, packed as {@link #SCENARIO_COMPRESSION}, in {@code dir}. */
    public static Path get(GuestImages images, Stage1Options options, Path dir) {
        return get(images, options, SCENARIO_COMPRESSION, dir);
    }

    /**
     * The initrd for these images, options and compression, in {@code dir}: built on first use
     * in a run, or taken from what an earlier run with the same builder built
     * ({@code <cache>/stage1/}, see {@link Stage1Cache}).
     */
    public static Path get(GuestImages images, Stage1Options options, Compression compression, Path dir) {
        return get(images, options, compression, dir, new Stage1Cache(CacheDirectory.root().resolve("stage1")));
    }

    static Path get(GuestImages images, Stage1Options options, Compression compression, Path dir, Stage1Cache cache) {
        String key = key(images, options, compression);
        Path initrd = BUILT.computeIfAbsent(dir + "/" + key,
                k -> build(images, options, compression, dir.resolve(images.release() + "-" + images.arch().id() + "-"
                        + key.substring(0, 16) + ".img"), cache, key));
        declareSecretsBuiltIn(images, options, initrd);
        return initrd;
    }

    /**
     * What the options copy into the initrd by design: the images' key file for a crypttab entry
     * that names it, the SSH host key that option sshUnlock's server presents.
     */
    private static void declareSecretsBuiltIn(GuestImages images, Stage1Options options, Path initrd) {
        String keyFile = images.luksKeyfile().toString();
        options.luks().stream().filter(v -> keyFile.equals(v.keyFile())).findFirst().ifPresent(v -> RunSecrets.holdsByDesign(
                initrd, RunSecrets.IMAGES_KEY_FILE, "the stage 1 opens " + v.name() + " with it, built into the initrd"));
        if (options.sshUnlock() != null) {
            String hostKey = SshKeys.labelOf(Path.of(options.sshUnlock().hostKey()));
            if (hostKey != null) {
                RunSecrets.holdsByDesign(initrd, hostKey, "the stage 1's SSH server presents it as its host key");
            }
        }
    }

    private static Path build(GuestImages images, Stage1Options options, Compression compression, Path out,
            Stage1Cache cache, String key) {
        try {
            Files.createDirectories(out.getParent());
            long t0 = System.nanoTime();
            String what = String.format("stage 1 for %s %s (systemd %s): %s", images.release(), images.arch(),
                    images.systemdVersion(), out.getFileName());
            if (fetched(cache, key, out)) {
                System.out.printf("%s, %.1f MB, from %s in %.1f s%n", what, Files.size(out) / 1e6, cache.entry(key),
                        (System.nanoTime() - t0) / 1e9);
                return out;
            }
            Stage1Image image = Stage1Assembler.build(images.arch(), options, images.sysroot(), images.modules());
            InitrdWriter.write(image.plan(), compression, List.of(), out);
            System.out.printf("%s, %d entries, %.1f MB, built in %.1f s%n", what, image.plan().size(),
                    Files.size(out) / 1e6, (System.nanoTime() - t0) / 1e9);
            try {
                cache.store(key, out);
            } catch (IOException e) {
                System.out.printf("stage 1 not kept in %s (%s): later runs build it again%n", cache.entry(key), e);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("building the " + images.arch() + " stage 1 into " + out + " failed", e);
        }
    }

    /** A cache that cannot be read is only slower: the stage 1 is built. */
    private static boolean fetched(Stage1Cache cache, String key, Path out) {
        try {
            return cache.fetch(key, out);
        } catch (IOException e) {
            System.out.printf("stage 1 not taken from %s (%s): building it%n", cache.entry(key), e);
            return false;
        }
    }

    private static String key(GuestImages images, Stage1Options options, Compression compression) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(images.arch().id().getBytes(StandardCharsets.UTF_8));
            md.update(images.sysroot().toString().getBytes(StandardCharsets.UTF_8));
            md.update(images.modules().toString().getBytes(StandardCharsets.UTF_8));
            // every package's version and sha256: an entry rebuilt at the same path is another sysroot
            md.update(Sha256.of(images.manifest()).getBytes(StandardCharsets.UTF_8));
            md.update(JSON.writeValueAsBytes(options));
            md.update(compression.toString().getBytes(StandardCharsets.UTF_8));
            md.update(Stage1Cache.codeIdentity().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot key stage-1 options " + options, e);
        }
    }
}
