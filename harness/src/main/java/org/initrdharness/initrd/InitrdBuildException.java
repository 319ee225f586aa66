package org.initrdharness.initrd;

/** A build that cannot go on; the message names the path or option at fault and what to do. */
public class InitrdBuildException extends RuntimeException {
    public InitrdBuildException(String message) {
        super(message);
    }

    public InitrdBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
