package org.initrdharness.vm;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the harness's stage 1 stops with a root shell on the second console
 * ({@link Arch#secondConsole()}), chosen on the kernel command line ({@link #kernelArgument()}).
 * The stage-1 unit for each point is ordered like dracut's hook of the same name;
 * {@link #ON_FAILURE} also keeps a failed guest running, which any initrd gets.
 */
public enum Breakpoint {
    /** After modules-load, before udev's coldplug and sysinit.target: dracut's pre-trigger. */
    INITRD("initrd"),
    /** The root device is there (and LUKS opened), /sysroot not mounted yet: dracut's pre-mount. */
    PRE_MOUNT("pre-mount"),
    /** /sysroot and initrd-fs.target are mounted, before initrd.target and the switch-root: dracut's pre-pivot. */
    PRE_SWITCH_ROOT("pre-switch-root"),
    /** When the boot falls into emergency: the shell beside the emergency shell, and the guest is kept. */
    ON_FAILURE("on-failure");

    /** The kernel command line parameter the stage-1 units look for. */
    public static final String PARAMETER = "rd.harness.break";

    private final String id;

    Breakpoint(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** "rd.harness.break=pre-mount". */
    public String kernelArgument() {
        return PARAMETER + "=" + id;
    }

    /** The stage-1 unit that stops there. */
    public String unit() {
        return "harness-break-" + id + ".service";
    }

    /** What the stopped stage 1 writes on the second console once its shell is about to read. */
    public String readyLine() {
        return "initrd-harness: stage 1 stopped at " + id;
    }

    /** The prompt of the shell there, "[pre-mount] # ". */
    public String prompt() {
        return "[" + id + "] # ";
    }

    /** What stage 1 writes on its first console when the shell ended and the boot goes on. */
    public String continuesLine() {
        return "initrd-harness: stage 1 continues after " + id;
    }

    /** The point named {@code id}, or an IllegalArgumentException listing the valid ones. */
    public static Breakpoint parse(String id) {
        String s = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
        for (Breakpoint b : values()) if (b.id.equals(s)) return b;
        throw new IllegalArgumentException("'" + id + "' is no break point: use "
                + Arrays.stream(values()).map(Breakpoint::id).collect(Collectors.joining(", ")));
    }
}
