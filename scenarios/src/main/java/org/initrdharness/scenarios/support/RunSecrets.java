package org.initrdharness.scenarios.support;

import java.util.ArrayList;
import java.util.List;
import org.initrdharness.images.disk.LuksVolume;

/**
 * What no artifact of a run may hold: every passphrase this JVM's scenarios typed, the
 * images' LUKS key file and the SSH private keys scenarios made. The images' slot-0 passphrase is left out: it is the project's own
 * name, printed everywhere, and no scenario types it.
 */
public final class RunSecrets {
    private RunSecrets() {
    }

    public static List<Secret> all() {
        List<Secret> secrets = new ArrayList<>();
        List<String> typed = ScratchLuks.issued();
        for (int i = 0; i < typed.size(); i++) secrets.add(Secret.passphrase("typed passphrase #" + (i + 1), typed.get(i)));
        secrets.add(Secret.keyFile("the images' LUKS key file", LuksVolume.keyfileBytes()));
        secrets.addAll(SshKeys.issued());
        return List.copyOf(secrets);
    }
}
