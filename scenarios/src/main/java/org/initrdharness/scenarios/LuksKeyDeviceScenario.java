package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Tools;
import org.initrdharness.images.disk.LuksVolume;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.ScratchLuks;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.ConsoleLine;
import org.initrdharness.vm.console.ConsoleMatch;
import org.testng.annotations.Test;

/**
 * A LUKS root whose key file lives on a second disk, named on the command line
 * ({@code rd.luks.key=UUID=/keyfile:LABEL=keydev}, as systemd's TEST-24-CRYPTSETUP does): with
 * the key device there nobody is asked; with the key device missing, after the key device's
 * timeout, and with a wrong key file on it, the passphrase prompt is the fallback and the right
 * passphrase reaches stage 2.
 */
public class LuksKeyDeviceScenario extends Scenario {
    static final String KEY_LABEL = "keydev";
    static final String KEY_PATH = "/keyfile";
    /** The key device's timeout when it is missing: short, so the fallback comes soon under TCG. */
    static final String KEYFILE_TIMEOUT = "keyfile-timeout=10s";

    @Test(groups = "nightly")
    public void keyFileOnASecondDiskOpensTheRootWithoutAPrompt() throws IOException {
        GuestImages images = images();
        // Kept when the test fails, so that its boots replay; removed when it passes.
        Path scratch = scratchDir("key-device");
        Path keydev = keyDevice(LuksVolume.keyfileBytes(), scratch);
        MachineSpec spec = machine("key-device").initrd(initrd()).disk(Disk.raw(images.luksDisk(), "luks"))
                .disk(Disk.raw(keydev, "keydev")).append(commandLine(images, false)).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertRootOpened(stage2, images);
            assertNoPrompt(m);
            String journal = stage2.mark("cryptsetup-journal");
            assertTrue(!journal.contains("Failed to activate"), "systemd-cryptsetup failed nothing: " + journal);
            String mounted = stage2.mark("keydev-journal");
            assertTrue(mounted.contains("/run/systemd/cryptsetup/keydev-" + volume(images)),
                    "stage 1 mounted " + KEY_LABEL + " where systemd-cryptsetup looks for the key file: " + mounted);
            System.out.printf("%s: LUKS root opened by the key file on %s; stage 2 at %.1f s%n", cell(), KEY_LABEL,
                    stage2.secondsSinceStart());
        }
    }

    /**
     * The same key device named in the initrd's /etc/crypttab instead of on the command line:
     * the key field's {@code /keyfile:LABEL=keydev} form, which systemd-cryptsetup-generator
     * turns into the same key-device mount (systemd 252 and 257 alike).
     */
    @Test(groups = "nightly")
    public void keyFileOnASecondDiskNamedInCrypttabOpensTheRootWithoutAPrompt() throws IOException {
        GuestImages images = images();
        // Kept when the test fails, so that its boots replay; removed when it passes.
        Path scratch = scratchDir("key-device-crypttab");
        Path keydev = keyDevice(LuksVolume.keyfileBytes(), scratch);
        String crypttab = volume(images) + " UUID=" + images.luksUuid() + " " + KEY_PATH + ":LABEL=" + KEY_LABEL + " luks\n";
        MachineSpec spec = machine("key-device-crypttab").initrd(initrd(crypttab))
                .disk(Disk.raw(images.luksDisk(), "luks")).disk(Disk.raw(keydev, "keydev")).append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertRootOpened(stage2, images);
            assertNoPrompt(m);
            String mounted = stage2.mark("keydev-journal");
            assertTrue(mounted.contains("/run/systemd/cryptsetup/keydev-" + volume(images)),
                    "stage 1 mounted " + KEY_LABEL + " from crypttab's key field where systemd-cryptsetup looks: " + mounted);
            System.out.printf("%s: LUKS root opened by the key file on %s named in crypttab; stage 2 at %.1f s%n", cell(),
                    KEY_LABEL, stage2.secondsSinceStart());
        }
    }

    @Test(groups = "nightly")
    public void aMissingKeyDeviceFallsBackToThePassphrasePrompt() throws IOException {
        fallsBackToThePrompt("no-key-device", null, "the key device is missing",
                "Failed to activate, key file '%s' missing.");
    }

    @Test(groups = "nightly")
    public void aWrongKeyFileFallsBackToThePassphrasePrompt() throws IOException {
        byte[] wrong = LuksVolume.keyfileBytes();
        wrong[0] ^= 0x55;
        fallsBackToThePrompt("wrong-key-file", wrong, "the key file on " + KEY_LABEL + " is wrong",
                "Failed to activate with key file '%s'.");
    }

    /**
     * Boots with {@code key} on the key device (null: no key device and a short key-device
     * timeout) and answers the prompt that must follow; systemd-cryptsetup's journal says
     * {@code failure} (with the key file's path for %s) in systemd 252 and 257 alike.
     */
    private void fallsBackToThePrompt(String name, byte[] key, String why, String failure) throws IOException {
        GuestImages images = images();
        String passphrase = ScratchLuks.freshPassphrase();
        // Kept when the test fails, so that its boots replay; removed when it passes.
        Path scratch = scratchDir(name);
        Path root = ScratchLuks.rootWithPassphrase(images, passphrase, scratch);
        MachineSpec.Builder spec = machine(name).initrd(initrd()).disk(Disk.raw(root, "luks"))
                .append(commandLine(images, key == null));
        if (key != null) spec.disk(Disk.raw(keyDevice(key, scratch), "keydev"));
        try (Machine m = start(spec.build())) {
            Console console = m.console();
            ConsoleMatch prompt = console.waitFor(LuksPassphraseScenario.PROMPT, Duration.ofSeconds(180));
            assertEquals(prompt.group(1), volume(images), "the prompt names the root volume when " + why);
            console.sendSecretLine(passphrase);
            Stage2Report stage2 = awaitStage2(m);
            assertRootOpened(stage2, images);
            String journal = stage2.mark("cryptsetup-journal");
            String said = failure.formatted(keyFileInStage1(images));
            assertTrue(journal.contains(said), "systemd-cryptsetup says \"" + said + "\" before it asks: " + journal);
            System.out.printf("%s: %s: prompt at %.1f s, stage 2 at %.1f s%n", cell(), why, prompt.seconds(),
                    stage2.secondsSinceStart());
        }
    }

    /** The harness's stage 1 with marks that tell what stage 1 opened and what systemd-cryptsetup said. */
    private Path initrd() {
        return initrd(null);
    }

    /** As {@link #initrd()}, with {@code crypttab} (null: none) as the initrd's /etc/crypttab. */
    private Path initrd(String crypttab) {
        Stage1Options.Builder options = Stage1Options.builder();
        if (crypttab != null) options.file("/etc/crypttab", crypttab);
        LuksPassphraseScenario.mapperMark().addTo(options);
        LuksPassphraseScenario.journalMark().addTo(options);
        new MarkingUnit("keydev-journal", List.of("cryptsetup.target"), """
                journalctl -b -o cat --no-pager | grep -F keydev | tail -n 8
                """).addTo(options);
        return stage1(options.build());
    }

    /**
     * The key device's timeout is set only where the device is missing: under TCG udev may name
     * a present disk later than any short timeout (12-16 s on aarch64), and then the prompt comes
     * for the wrong reason.
     */
    private static String commandLine(GuestImages images, boolean shortKeyTimeout) {
        String uuid = images.luksUuid().toString();
        return "rd.luks.uuid=" + uuid + " rd.luks.key=" + uuid + "=" + KEY_PATH + ":LABEL=" + KEY_LABEL
                + (shortKeyTimeout ? " rd.luks.options=" + uuid + "=" + KEYFILE_TIMEOUT : "") + " " + rootByLabel();
    }

    /** Where systemd-cryptsetup-generator mounts the key device for the volume, and the key file in it. */
    private static String keyFileInStage1(GuestImages images) {
        return "/run/systemd/cryptsetup/keydev-" + volume(images) + KEY_PATH;
    }

    private static String volume(GuestImages images) {
        return "luks-" + images.luksUuid();
    }

    private static void assertRootOpened(Stage2Report stage2, GuestImages images) {
        assertEquals(stage2.mark("mapper"), volume(images) + "\nroot=" + volume(images),
                "stage 1 opened the root volume and the root label is on it");
    }

    /** A small ext4 disk labelled {@link #KEY_LABEL} holding {@code key} as {@link #KEY_PATH}. */
    static Path keyDevice(byte[] key, Path dir) throws IOException {
        Path tree = Files.createDirectories(dir.resolve("keydev-tree"));
        Path file = Files.write(tree.resolve(KEY_PATH.substring(1)), key);
        // As a key file should be: systemd-cryptsetup warns about one others can read.
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        Path image = dir.resolve("keydev.img");
        Path mkfs = Tools.require("mkfs.ext4", "e2fsprogs");
        Tools.check(List.of(mkfs.toString(), "-q", "-F", "-t", "ext4", "-L", KEY_LABEL, "-d", tree.toString(),
                image.toString(), "4096k"), "making the key device " + image);
        return image;
    }

    private static void assertNoPrompt(Machine m) {
        List<ConsoleLine> prompts = m.console().lines().stream()
                .filter(l -> LuksPassphraseScenario.ANY_PROMPT.matcher(l.text()).find()).toList();
        assertTrue(prompts.isEmpty(), "nothing asked for a passphrase: " + prompts);
    }
}
