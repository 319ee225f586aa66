package org.initrdharness.vm;

/**
 * Words a user adds to every kernel command line of a run ({@code matrix --append}, {@code boot
 * --append}), checked before any guest starts.
 */
public final class KernelArgs {
    /** The smaller of the two arches' COMMAND_LINE_SIZE (2048 bytes with the terminating NUL). */
    public static final int MAX_BYTES = 2047;

    private KernelArgs() {}

    /**
     * {@code words} trimmed, or an IllegalArgumentException saying what is wrong: empty, a control
     * character (a newline would end QEMU's -append inside the replay script), an unbalanced quote
     * (the kernel would take the rest of the line as one value) or longer than the kernel reads.
     */
    public static String check(String words) {
        if (words == null || words.isBlank()) {
            throw new IllegalArgumentException("is empty: give kernel arguments, e.g. \"systemd.log_level=debug\"");
        }
        String w = words.trim();
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("'" + w.replaceAll("\\p{Cntrl}", "?") + "' holds a control character at "
                        + i + ": give one line of space-separated arguments");
            }
        }
        if (w.chars().filter(c -> c == '"').count() % 2 != 0) {
            throw new IllegalArgumentException("'" + w + "' has an unbalanced double quote: the kernel would read the rest"
                    + " of the command line as one value");
        }
        if (w.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("is " + w.length() + " bytes: the kernel reads at most " + MAX_BYTES);
        }
        return w;
    }
}
