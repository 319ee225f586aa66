package org.initrdharness.scenarios.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.host.HostCommand;

/** Debian's chromium, headless, on local files only: the DOM after load and screenshots. */
final class Chromium {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private final Path profile;

    Chromium(Path profile) {
        this.profile = profile;
    }

    static Path binary() {
        Path p = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("no " + p + ": harness/bin/setup-host installs Debian's chromium package");
        }
        return p;
    }

    private List<String> base() throws IOException {
        Files.createDirectories(profile);
        List<String> c = new ArrayList<>(List.of(binary().toString(), "--headless", "--disable-gpu", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update"));
        // Chromium refuses to run as root with its sandbox (CI runs the tests as root in a fresh
        // root); the pages it opens are the report's own files.
        if ("root".equals(System.getProperty("user.name"))) c.add("--no-sandbox");
        return c;
    }

    /** The page's DOM after it loaded, serialised. */
    String dom(Path page) throws IOException {
        List<String> c = base();
        c.add("--dump-dom");
        c.add(page.toUri().toString());
        HostCommand.Result r = HostCommand.of(DEADLINE, c).separateErrors().check();
        return r.text();
    }

    /** A screenshot of the page in a window of this size. */
    Path screenshot(Path page, Path png, int width, int height) throws IOException {
        List<String> c = base();
        c.add("--window-size=" + width + "," + height);
        c.add("--screenshot=" + png.toAbsolutePath());
        c.add(page.toUri().toString());
        HostCommand.of(DEADLINE, c).check();
        if (!Files.isRegularFile(png)) throw new IOException("chromium wrote no " + png);
        return png;
    }
}
