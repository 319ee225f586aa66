package org.initrdharness.images;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A Debian release guests are made of. Each brings its own systemd and kernel (bookworm: 252 and
 * 6.1, trixie: 257 and 6.12); the stage-1 recipe works out their differences from the sysroot,
 * not from this list.
 */
public enum Release {
    // The tss2 libraries systemd dlopen()s to unseal a TPM2-enrolled LUKS key (stage-1 option tpm2).
    BOOKWORM("bookworm", 12, List.of("libtss2-esys-3.0.2-0", "libtss2-mu0", "libtss2-rc0", "libtss2-tcti-device0")),
    // systemd 256 moved systemd-cryptsetup and its generator into a package of their own; tss2 as above, t64 names.
    TRIXIE("trixie", 13, List.of("systemd-cryptsetup",
            "libtss2-esys-3.0.2-0t64", "libtss2-mu-4.0.1-0t64", "libtss2-rc0t64", "libtss2-tcti-device0t64"));

    /** The release images, stage 1 and the matrix use when none is named. */
    public static final Release DEFAULT = BOOKWORM;

    private final String id;
    private final int version;
    private final List<String> extraPackages;

    Release(String id, int version, List<String> extraPackages) {
        this.id = id;
        this.version = version;
        this.extraPackages = extraPackages;
    }

    /** The suite's code name: "bookworm", as on the command line, in reports and cache names. */
    @JsonValue
    public String id() {
        return id;
    }

    /** Debian's version number: 12, 13. */
    public int version() {
        return version;
    }

    /** Packages this release needs beyond {@link Recipe#SYSROOT_PACKAGES} for the same files. */
    public List<String> extraPackages() {
        return extraPackages;
    }

    /** The suites apt reads for this release: the release, its updates and its security updates. */
    public List<String> suites() {
        return List.of(id, id + "-updates");
    }

    public String securitySuite() {
        return id + "-security";
    }

    /** Parses "bookworm"/"12"/"trixie"/"13"; an unknown name is refused with the known ones. */
    public static Release parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).trim();
        for (Release r : values()) {
            if (r.id.equals(n) || String.valueOf(r.version).equals(n)) return r;
        }
        throw new IllegalArgumentException("unknown release '" + name + "': use one of "
                + Arrays.stream(values()).map(Release::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
