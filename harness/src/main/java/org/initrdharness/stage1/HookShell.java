package org.initrdharness.stage1;

import com.fasterxml.jackson.annotation.JsonValue;
import org.initrdharness.initrd.InitrdBuildException;

/** The shell legacy hooks run in, and root's /bin/sh; written "busybox" or "bash" in JSON. */
public enum HookShell {
    /** Static busybox with its applets built in. */
    BUSYBOX("busybox", "/usr/bin/busybox sh"),
    BASH("bash", "/usr/bin/bash");

    private final String id;
    private final String command;

    HookShell(String id, String command) {
        this.id = id;
        this.command = command;
    }

    /** The JSON name. */
    @JsonValue
    public String id() {
        return id;
    }

    public static HookShell of(String id) {
        for (HookShell s : values()) {
            if (s.id.equals(id)) return s;
        }
        throw new InitrdBuildException("option hookShell: " + OptionRules.quote(id) + " is not \"busybox\" or \"bash\"");
    }

    /** How a script is run in this shell. */
    String command() {
        return command;
    }
}
