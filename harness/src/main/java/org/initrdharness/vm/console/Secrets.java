package org.initrdharness.vm.console;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Texts that never reach a log, the timeline or a failure message: typed passphrases and answers. */
final class Secrets {
    static final String PLACEHOLDER = "<secret>";

    // Written by the threads that type, read by the console's reader thread.
    private final List<String> secrets = new CopyOnWriteArrayList<>();

    void add(String secret) {
        if (!secret.isEmpty() && !secrets.contains(secret)) secrets.add(secret);
    }

    /** {@code text} with every secret replaced by {@value #PLACEHOLDER}. */
    String redact(String text) {
        for (String s : secrets) {
            if (text.contains(s)) text = text.replace(s, PLACEHOLDER);
        }
        return text;
    }
}
