package org.initrdharness.initrd.kmod;

import java.util.Objects;

import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.PlanEntry;

/**
 * Where kernel modules and firmware go inside the initrd.
 *
 * @param moduleDir   "/lib/modules/&lt;version&gt;" or "/usr/lib/modules/&lt;version&gt;": must be where
 *                    the guest's kmod looks (Debian 12's kmod: /lib/modules, which a merged-/usr
 *                    initrd makes a link into /usr/lib)
 * @param firmwareDir "/lib/firmware" or "/usr/lib/firmware"
 */
public record ModuleLayout(InitrdPath moduleDir, InitrdPath firmwareDir) {
    public ModuleLayout {
        Objects.requireNonNull(moduleDir, "moduleDir");
        Objects.requireNonNull(firmwareDir, "firmwareDir");
    }

    /** Modules under /usr/lib/modules/&lt;version&gt;, firmware under /usr/lib/firmware. */
    public static ModuleLayout usrLib(String kernelVersion) {
        return new ModuleLayout(InitrdPath.of("/usr/lib/modules/" + kernelVersion), InitrdPath.of("/usr/lib/firmware"));
    }

    /** Modules under /lib/modules/&lt;version&gt;, firmware under /lib/firmware. */
    public static ModuleLayout lib(String kernelVersion) {
        return new ModuleLayout(InitrdPath.of("/lib/modules/" + kernelVersion), InitrdPath.of("/lib/firmware"));
    }

    /**
     * This layout with /lib/... moved to /usr/lib/... when {@code plan} holds /lib as a symlink
     * (entries cannot go below a link; the guest reaches them through it).
     */
    public ModuleLayout mergedUsr(InitrdPlan.Builder plan) {
        boolean libIsLink = plan.get(InitrdPath.of("/lib")).map(e -> e instanceof PlanEntry.Symlink).orElse(false);
        return libIsLink ? new ModuleLayout(underUsr(moduleDir), underUsr(firmwareDir)) : this;
    }

    private static InitrdPath underUsr(InitrdPath p) {
        return p.value().startsWith("/lib/") ? InitrdPath.of("/usr" + p.value()) : p;
    }
}
