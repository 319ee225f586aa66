package org.initrdharness.images;

/**
 * Images could not be built or found. The message names what is missing or wrong (package,
 * arch, tool, file) and what to do about it.
 */
public class ImagesException extends RuntimeException {
    public ImagesException(String message) {
        super(message);
    }

    public ImagesException(String message, Throwable cause) {
        super(message, cause);
    }
}
