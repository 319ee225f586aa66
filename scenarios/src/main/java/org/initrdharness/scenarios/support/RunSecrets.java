package org.initrdharness.scenarios.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.images.disk.LuksVolume;

/**
 * What no artifact of a run may hold: every passphrase this JVM's scenarios typed, the
 * images' LUKS key file and the SSH private keys scenarios made. The images' slot-0 passphrase is left out: it is the project's own
 * name, printed everywhere, and no scenario types it.
 */
public final class RunSecrets {
    /** How scans name the images' LUKS key file. */
    public static final String IMAGES_KEY_FILE = "the images' LUKS key file";

    /** Files that hold a secret because a test built them so, to the reason. */
    private static final Map<Held, String> BY_DESIGN = new ConcurrentHashMap<>();

    /** A file, as an absolute normalised path, and the label of the secret it holds. */
    private record Held(Path file, String label) {
        Held {
            file = file.toAbsolutePath().normalize();
        }
    }

    private RunSecrets() {
    }

    /**
     * Declares that {@code file} holds the secret called {@code label} because a test built it
     * that way (a stage 1 whose crypttab opens the root with a key file inside it): scans name it
     * with {@code why} instead of calling it a leak. Every other file holding it still is one.
     */
    public static void holdsByDesign(Path file, String label, String why) {
        BY_DESIGN.put(new Held(file, label), why);
    }

    /** Why {@code file} holds {@code label} by design, or null when it should not hold it. */
    public static String whyHeld(Path file, String label) {
        return BY_DESIGN.get(new Held(file, label));
    }

    public static List<Secret> all() {
        List<Secret> secrets = new ArrayList<>();
        List<String> typed = ScratchLuks.issued();
        for (int i = 0; i < typed.size(); i++) secrets.add(Secret.passphrase("typed passphrase #" + (i + 1), typed.get(i)));
        secrets.add(Secret.keyFile(IMAGES_KEY_FILE, LuksVolume.keyfileBytes()));
        secrets.addAll(SshKeys.issued());
        return List.copyOf(secrets);
    }
}
