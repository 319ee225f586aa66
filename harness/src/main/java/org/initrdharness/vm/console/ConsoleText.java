package org.initrdharness.vm.console;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns raw serial text into what a person reads: no ANSI escapes, no CR, no control bytes. */
final class ConsoleText {
    private ConsoleText() {}

    /** CSI sequences (colours, cursor moves), OSC strings, two-byte escapes. */
    private static final Pattern ESCAPE = Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)|\u001B[ -/]*[0-~]");

    /** An escape cut off by the end of what arrived so far: dropped until the rest comes. */
    private static final Pattern INCOMPLETE_ESCAPE = Pattern.compile(
            "\u001B(?:\\[[0-?]*[ -/]*|\\][^\u0007\u001B]*\u001B?|[ -/]*)?$");

    /** A kernel message's timestamp, "[    3.141592] ". */
    static final Pattern KERNEL_TIMESTAMP = Pattern.compile("\\[ *\\d+\\.\\d{6}\\] ");

    static String clean(CharSequence raw) {
        String s = ESCAPE.matcher(raw).replaceAll("");
        s = INCOMPLETE_ESCAPE.matcher(s).replaceAll("");
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t' || c >= 0x20 && c != 0x7f) out.append(c);
            else if (c == '\b' && out.length() > 0) out.setLength(out.length() - 1);
            // CR and other control bytes: the terminal would not show them either
        }
        return out.toString();
    }

    /**
     * Where a kernel message starts inside a line that something else began (the kernel does
     * not wait for user space to finish its line), or -1.
     */
    static int embeddedKernelMessage(String line) {
        Matcher m = KERNEL_TIMESTAMP.matcher(line);
        while (m.find()) {
            if (m.start() > 0 && !line.substring(0, m.start()).isBlank()) return m.start();
        }
        return -1;
    }

    static boolean isKernelMessage(String line) {
        return KERNEL_TIMESTAMP.matcher(line).lookingAt();
    }
}
