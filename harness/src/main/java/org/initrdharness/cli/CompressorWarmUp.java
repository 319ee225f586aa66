package org.initrdharness.cli;

import java.time.Duration;
import org.initrdharness.initrd.Compression;

/**
 * Loads a compressor's native code (zstd-jni unpacks and links a library) on another thread
 * while the build plans. {@link #finish()} waits for it: a JVM that exits while the library is
 * being unpacked leaves an empty libzstd-jni-*.so in the temporary directory and prints the
 * loader's error, so no command returns while the warm-up runs.
 */
final class CompressorWarmUp {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private final Thread thread;

    private CompressorWarmUp(Thread thread) {
        this.thread = thread;
    }

    static CompressorWarmUp start(Compression compression) {
        Thread t = new Thread(() -> {
            try {
                compression.warmUp();
            } catch (Throwable ignored) { // NOPMD: the real write loads it again and reports the problem
            }
        }, "compressor warm-up");
        t.setDaemon(true);
        t.start();
        return new CompressorWarmUp(t);
    }

    /** Waits for the warm-up, at most a minute (a library load that takes longer is hung). */
    void finish() {
        try {
            thread.join(LIMIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
