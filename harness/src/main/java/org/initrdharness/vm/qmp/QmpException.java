package org.initrdharness.vm.qmp;

import java.io.IOException;

/** QEMU refused a QMP command, or QMP went away. */
public class QmpException extends IOException {
    private final String errorClass;

    public QmpException(String message, String errorClass) {
        super(message);
        this.errorClass = errorClass;
    }

    /** QMP's error class ("GenericError", "DeviceNotFound"), or null when the connection failed. */
    public String errorClass() {
        return errorClass;
    }
}
