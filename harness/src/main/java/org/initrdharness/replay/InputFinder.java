package org.initrdharness.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds a recorded boot's inputs on this machine: at the path they had, when the content there
 * is still the same, else anywhere in the harness's cache with the same size and sha256.
 */
public final class InputFinder {
    private final Path cache;
    private Map<Long, List<Path>> cacheBySize;

    public InputFinder(Path cache) {
        this.cache = cache;
    }

    /** Every input a replay needs, by id. */
    public Map<String, Path> find(BootManifest manifest) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (BootInput in : manifest.inputs()) {
            if (in.needed()) out.put(in.id(), find(in));
        }
        return out;
    }

    /** One input, or an IOException that says which and where it was looked for. */
    public Path find(BootInput in) throws IOException {
        if (matches(in.path(), in)) return in.path();
        for (Path p : bySize().getOrDefault(in.size(), List.of())) {
            if (matches(p, in)) return p;
        }
        throw new IOException("input " + in.id() + " (" + in.role() + ", sha256 " + in.sha256().substring(0, 16) + "…, "
                + in.size() + " bytes) is neither at " + in.path() + " nor in the cache " + cache
                + ": replay a bundle made where the boot ran (initrd-harness repro --bundle DIR -o F.tar.zst)");
    }

    private static boolean matches(Path p, BootInput in) throws IOException {
        return Files.isRegularFile(p) && Files.size(p) == in.size() && Sha256.of(p).equals(in.sha256());
    }

    private Map<Long, List<Path>> bySize() throws IOException {
        if (cacheBySize != null) return cacheBySize;
        cacheBySize = new HashMap<>();
        if (Files.isDirectory(cache)) {
            try (Stream<Path> s = Files.walk(cache)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isRegularFile(p)) cacheBySize.computeIfAbsent(Files.size(p), k -> new ArrayList<>()).add(p);
                }
            }
        }
        return cacheBySize;
    }
}
