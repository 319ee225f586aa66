package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.initrdharness.cli.Main;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.replay.BootManifest;
import org.testng.annotations.Test;

/**
 * A boot that fails on purpose (the aarch64 busybox guest reads a typed passphrase and its
 * disk, then lets init exit) is packed into a bundle, which holds no trace of the passphrase;
 * with its artifact directory and disk gone and another cache, the bundle replays in a child
 * JVM to the same last console lines.
 */
public class BundleReplayTest {
    private static final Arch ARCH = Arch.AARCH64;
    private static final Pattern KERNEL_TIME = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s*");

    private record Run(int status, String out, String err) {}

    @Test
    public void aFailedBootsBundleHoldsNoSecretAndReplaysToTheSameLastLines() throws Exception {
        BusyboxGuest g = BusyboxGuest.of(ARCH);
        Path work = Files.createDirectories(Path.of("target", "bundle-replay").toAbsolutePath());
        deleteTree(work);
        String marker = "bundle-marker-" + random();
        Path disk = Files.createDirectories(work.resolve("scratch")).resolve("data.img");
        try (OutputStream out = Files.newOutputStream(disk)) {
            out.write((marker + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1 << 20]);
        }
        String secret = "hx-bundle-" + random();
        Path dir = work.resolve("boot");
        List<String> recorded;
        try (Machine m = Machine.start(g.spec("bundle", "evidence").disk(Disk.raw(disk, "data")).artifactDir(dir).build())) {
            m.console().waitFor(Pattern.compile("Please enter passphrase for disk"), Duration.ofSeconds(90));
            m.console().sendSecretLine(secret);
            m.console().expect("HARNESS-DISK " + marker, Duration.ofSeconds(60));
            m.console().expect("HARNESS-PANICKING", Duration.ofSeconds(30));
            assertTrue(m.awaitExit(Duration.ofSeconds(60)), "init's exit ends the guest (panic=-1, -no-reboot)");
        }
        recorded = Files.readAllLines(dir.resolve("console.log"));

        Path bundle = work.resolve("bundle.tar.zst");
        long t0 = System.nanoTime();
        Run packed = cli("repro", "--bundle", dir.toString(), "-o", bundle.toString());
        System.out.printf("bundle written in %.1f s: %s", (System.nanoTime() - t0) / 1e9, packed.out);
        assertEquals(packed.status, 0, packed.err);

        byte[] tar;
        try (InputStream in = new ZstdInputStreamNoFinalizer(Files.newInputStream(bundle))) {
            tar = in.readAllBytes();
        }
        String all = new String(tar, StandardCharsets.ISO_8859_1);
        assertFalse(all.contains(secret), "the typed passphrase is in the bundle " + bundle);
        assertTrue(all.contains(marker), "the disk is in the bundle");
        assertTrue(all.contains("HARNESS-PANICKING"), "the console log is in the bundle");
        BootManifest manifest = BootManifest.read(dir.resolve(BootManifest.FILE));
        assertEquals(manifest.typed(), List.of("<secret>\\r"), "the typed passphrase is recorded as its placeholder");

        // Another machine: no artifact directory, no disk, an empty cache.
        deleteTree(dir);
        Files.delete(disk);
        Path otherCache = Files.createDirectories(work.resolve("other-cache"));
        long t1 = System.nanoTime();
        Run replay = replayInChildJvm(bundle, otherCache, work);
        System.out.printf("replay from the bundle took %.1f s, exit %d%n", (System.nanoTime() - t1) / 1e9, replay.status);
        System.out.println(replay.out);
        System.out.println(replay.err);
        assertFalse(replay.out.contains(secret) || replay.err.contains(secret), "the replay shows the secret");

        List<String> expected = new ArrayList<>();
        for (String l : recorded) {
            String t = text(l);
            if (t.startsWith("HARNESS-DISK") || t.equals("HARNESS-PANICKING") || t.startsWith("Kernel panic - not syncing")) {
                expected.add(t);
            }
        }
        assertEquals(expected.size(), 3, "the recorded boot's last lines: " + recorded);
        // The evidence printed first, then the replayed console: the last lines again, in order.
        String[] parts = replay.out.split("== replay \\(", 2);
        assertEquals(parts.length, 2, "the replay names its command line: " + replay.out);
        for (String e : expected) assertTrue(parts[0].contains(e), "the recorded evidence shows '" + e + "'");
        List<String> replayed = parts[1].lines().map(BundleReplayTest::kernelText).toList();
        int at = 0;
        for (String e : expected) {
            while (at < replayed.size() && !replayed.get(at).contains(e)) at++;
            assertTrue(at < replayed.size(), "the replayed console shows '" + e + "' (after the lines before it):\n" + parts[1]);
        }
        assertEquals(Files.list(otherCache).count(), 0L, "the replay took nothing from (and put nothing in) its cache");

        // Headless: the recorded session driven again, the secret from the user, the last lines compared.
        Run refused = cli("repro", bundle.toString(), "--check");
        assertEquals(refused.status, 2, refused.out + refused.err);
        assertTrue(refused.err.contains("typed 1 secret(s)") && refused.err.contains("--answer-prompts-from"), refused.err);
        Path answers = work.resolve("answers");
        Files.writeString(answers, "again\n");
        long t2 = System.nanoTime();
        Run checked = cli("repro", bundle.toString(), "--check", "--answer-prompts-from", answers.toString(), "--timeout", "240");
        System.out.printf("repro --check took %.1f s, exit %d%n%s%s", (System.nanoTime() - t2) / 1e9, checked.status, checked.out,
                checked.err);
        assertEquals(checked.status, 0, checked.out + checked.err);
        assertTrue(checked.out.contains("repro: same last lines (5 of 5)"), checked.out);
        assertTrue(checked.out.contains("  same     HARNESS-PANICKING"), checked.out);
        assertFalse(checked.out.contains(secret) || checked.out.contains("again"), "the check printed what was typed");
    }

    /** Runs repro in a child JVM as a person would, typing an answer when the prompt shows. */
    private static Run replayInChildJvm(Path bundle, Path cache, Path cwd) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "repro", bundle.toString(), "--timeout", "300")).directory(cwd.toFile());
        pb.environment().put(CacheDirectory.ENV, cache.toString());
        pb.redirectError(cwd.resolve("replay.err").toFile());
        Process child = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream keys = child.getOutputStream()) {
                boolean replaying = false;
                for (int c; (c = r.read()) >= 0; ) {
                    synchronized (out) {
                        out.append((char) c);
                        if (!replaying && out.indexOf("== replay (") >= 0) replaying = true;
                        if (replaying && out.toString().endsWith("Please enter passphrase for disk test-disk: ")) {
                            keys.write("again\r".getBytes(StandardCharsets.UTF_8));
                            keys.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // the child ended
            }
        }, "replay-reader");
        reader.start();
        boolean ended = child.waitFor(Timeouts.of(Accelerator.TCG, 1).scale(Duration.ofSeconds(240)).toSeconds(), TimeUnit.SECONDS);
        if (!ended) child.destroy();
        child.waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
        assertTrue(ended, "the replay ended by itself (init exits, the kernel panics, QEMU exits): " + out);
        synchronized (out) {
            return new Run(child.exitValue(), out.toString(), Files.readString(cwd.resolve("replay.err")));
        }
    }

    private static Run cli(String... args) {
        InProcessCli.Run r = InProcessCli.run(args);
        return new Run(r.status(), r.out(), r.err());
    }

    /** A console.log line's text: without the harness's time and the kernel's. */
    private static String text(String logLine) {
        return kernelText(logLine.replaceFirst("^\\[\\s*\\d+\\.\\d+\\] ", ""));
    }

    private static String kernelText(String line) {
        return KERNEL_TIME.matcher(line.replace("\r", "")).replaceFirst("");
    }

    private static String random() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
