package org.initrdharness.initrd;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.initrdharness.files.AtomicFiles;

/**
 * A JSON contents list: make-initrd-ng's array of {@code {"source": "/abs", "target": "/link"}}
 * (the source is copied to its own path with its closure; the optional target becomes a symlink
 * to it) plus what a stage 1 needs besides copies:
 * <pre>
 * {"target": "/init", "text": "#!/bin/sh\n...", "mode": "0755"}      generated file (or "base64")
 * {"target": "/sysroot", "directory": true, "mode": "0755"}          empty directory
 * {"target": "/lib", "symlink": "usr/lib"}                          symlink, target kept verbatim
 * {"target": "/dev/console", "device": "c", "major": 5, "minor": 1, "mode": "0600"}
 * </pre>
 * Bad input fails with the file, the entry's index and the field at fault.
 */
public final class ContentsList {
    /** What the plan entries made from a contents list give as their reason. */
    public static final String REASON = "contents list";

    private static final List<String> FIELDS =
            List.of("source", "target", "text", "base64", "mode", "directory", "symlink", "device", "major", "minor");

    private final String origin;
    private final List<Entry> entries;

    /** One entry of the list; {@code index} is its position in the JSON array, from 0. */
    public sealed interface Entry permits Copy, GeneratedFile, EmptyDirectory, Link, Device {
        int index();
    }

    /** {@code source} copied to its own path with its closure; {@code target}, if any, a symlink to it. */
    public record Copy(int index, InitrdPath source, Optional<InitrdPath> target) implements Entry {
        public Copy {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
        }
    }

    /** A file whose content is in the list ("text" or "base64"). */
    public record GeneratedFile(int index, InitrdPath target, byte[] content, int mode) implements Entry {
        public GeneratedFile {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GeneratedFile g && g.index == index && g.target.equals(target)
                    && g.mode == mode && Arrays.equals(g.content, content);
        }

        @Override
        public int hashCode() {
            return Objects.hash(index, target, mode, Arrays.hashCode(content));
        }
    }

    /**
     * A directory, created empty: unlike a "source" directory nothing below it is copied. This is
     * how a file list read from another initrd (dracut's) says "this directory exists".
     */
    public record EmptyDirectory(int index, InitrdPath target, int mode) implements Entry {}

    /**
     * A symlink at {@code target} holding {@code linkTarget} verbatim; nothing is copied for it.
     * Unlike a "source" that is a link, the place it points to is not followed.
     */
    public record Link(int index, InitrdPath target, String linkTarget) implements Entry {
        public Link {
            if (linkTarget == null || linkTarget.isEmpty()) {
                throw new InitrdBuildException("symlink " + target + " needs a non-empty link target");
            }
        }
    }

    /** A device node: {@code kind} 'c' or 'b'. */
    public record Device(int index, InitrdPath target, char kind, int major, int minor, int mode) implements Entry {}

    private ContentsList(String origin, List<Entry> entries) {
        this.origin = origin;
        this.entries = List.copyOf(entries);
    }

    /** Builds a list in code (origin names it in messages). */
    public static ContentsList of(String origin, List<Entry> entries) {
        return new ContentsList(origin, entries);
    }

    /**
     * The contents list that rebuilds what an existing initrd (dracut's, mkinitcpio's) holds from
     * {@code sysroot}: a regular file whose bytes the sysroot has at the same path (not through a
     * symlink) becomes a "source", any other file a generated one with the image's bytes;
     * directories, symlinks and device nodes are taken as they are. Nothing is followed, so the
     * closure adds only what the image lacks (libraries it forgot). Every archive of the file is
     * read, early ones (microcode) included; filter {@link #entries()} to leave them out.
     */
    public static ContentsList fromInitrd(InitrdReader.Contents image, Sysroot sysroot, String origin) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (InitrdEntry e : image.byPath().values()) { // a later archive's entry wins, as when unpacking
            if (e.path().equals("/")) continue;
            InitrdPath p = InitrdPath.of(e.path());
            int mode = e.mode() & 07777;
            int i = out.size();
            if (e.isDirectory()) {
                out.add(new EmptyDirectory(i, p, mode));
            } else if (e.isSymlink()) {
                out.add(new Link(i, p, e.linkTarget()));
            } else if (e.isDevice()) {
                out.add(new Device(i, p, (e.mode() & 0170000) == 0060000 ? 'b' : 'c', e.rdevMajor(), e.rdevMinor(), mode));
            } else if (e.isRegularFile()) {
                out.add(sameInSysroot(sysroot, p, e) ? new Copy(i, p, Optional.empty()) : new GeneratedFile(i, p, e.data(), mode));
            }
        }
        return new ContentsList(origin, out);
    }

    private static boolean sameInSysroot(Sysroot sysroot, InitrdPath p, InitrdEntry e) throws IOException {
        Sysroot.Resolution r = sysroot.resolveParent(p);
        if (!r.found() || !r.resolved().equals(p) || r.node().kind() != Sysroot.Kind.FILE
                || r.node().size() != e.data().length || r.node().mode() != (e.mode() & 07777)) {
            return false;
        }
        return Arrays.equals(Files.readAllBytes(sysroot.hostPath(p)), e.data());
    }

    /** Contents lists larger than this are refused before they are read whole. */
    public static final int MAX_BYTES = 256 << 20;

    /** Reads and checks the JSON file {@code file}: UTF-8, at most {@link #MAX_BYTES}. */
    public static ContentsList read(Path file) throws IOException {
        byte[] bytes = JsonValues.readLimited(file, MAX_BYTES, "contents list");
        return parse(JsonValues.utf8(bytes, "contents list " + file), file.toString());
    }

    /** Parses JSON text; {@code origin} (a file name) is named in every error. */
    public static ContentsList parse(String json, String origin) {
        Object root;
        try {
            root = JsonValues.parse(json);
        } catch (JsonValues.SyntaxError e) {
            throw new InitrdBuildException("contents list " + origin + " is not valid JSON: " + e.where());
        }
        if (!(root instanceof List)) {
            throw new InitrdBuildException("contents list " + origin
                    + " must be a JSON array of entries like {\"source\": \"/usr/bin/sh\"}, not " + JsonValues.typeOf(root));
        }
        List<?> items = (List<?>) root;
        List<Entry> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) out.add(entry(origin, i, items.get(i)));
        return new ContentsList(origin, out);
    }

    private static InitrdBuildException bad(String origin, int index, String field, String what) {
        return new InitrdBuildException("contents list " + origin + ", entry " + index
                + (field == null ? "" : ", field \"" + field + "\"") + ": " + what);
    }

    private static Entry entry(String origin, int i, Object item) {
        if (!(item instanceof Map)) throw bad(origin, i, null, "must be an object, not " + JsonValues.typeOf(item));
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) item;
        for (String f : e.keySet()) {
            if (!FIELDS.contains(f)) throw bad(origin, i, f, "unknown field; known fields: " + String.join(", ", FIELDS));
        }
        Set<String> kinds = new LinkedHashSet<>();
        for (String k : List.of("source", "text", "base64", "directory", "symlink", "device")) if (e.containsKey(k)) kinds.add(k);
        if (kinds.isEmpty()) {
            throw bad(origin, i, null, "needs one of \"source\", \"text\", \"base64\", \"directory\", \"symlink\", \"device\"");
        }
        if (kinds.size() > 1) throw bad(origin, i, null, "give only one of " + String.join(", ", kinds));
        String kind = kinds.iterator().next();
        Optional<InitrdPath> target = e.containsKey("target") ? Optional.of(path(origin, i, e, "target")) : Optional.empty();
        if (!kind.equals("source") && target.isEmpty()) throw bad(origin, i, "target", "missing; \"" + kind + "\" needs a target path");
        if (!kind.equals("device")) {
            for (String f : List.of("major", "minor")) if (e.containsKey(f)) throw bad(origin, i, f, "only allowed with \"device\"");
        }
        switch (kind) {
            case "source": {
                if (e.containsKey("mode")) throw bad(origin, i, "mode", "not allowed with \"source\": a copy keeps the source's mode");
                return new Copy(i, path(origin, i, e, "source"), target);
            }
            case "text":
                return new GeneratedFile(i, target.get(), string(origin, i, e, "text").getBytes(StandardCharsets.UTF_8),
                        mode(origin, i, e, 0644));
            case "base64": {
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(stripSpace(string(origin, i, e, "base64")));
                } catch (IllegalArgumentException x) {
                    throw bad(origin, i, "base64", "not valid base64: " + x.getMessage());
                }
                return new GeneratedFile(i, target.get(), bytes, mode(origin, i, e, 0644));
            }
            case "directory": {
                if (!Boolean.TRUE.equals(e.get("directory"))) {
                    throw bad(origin, i, "directory", "must be true, not " + shown(e.get("directory")));
                }
                return new EmptyDirectory(i, target.get(), mode(origin, i, e, 0755));
            }
            case "symlink": {
                if (e.containsKey("mode")) throw bad(origin, i, "mode", "not allowed with \"symlink\": links have no mode");
                String t = string(origin, i, e, "symlink");
                if (t.isEmpty() || t.indexOf('\0') >= 0) throw bad(origin, i, "symlink", "must be a non-empty path without NUL");
                if (t.getBytes(StandardCharsets.UTF_8).length >= InitrdPath.PATH_MAX) {
                    throw bad(origin, i, "symlink", "is " + t.getBytes(StandardCharsets.UTF_8).length
                            + " bytes; the kernel takes link targets shorter than " + InitrdPath.PATH_MAX);
                }
                return new Link(i, target.get(), t);
            }
            default: {
                String d = string(origin, i, e, "device");
                if (!d.equals("c") && !d.equals("b")) throw bad(origin, i, "device", "must be \"c\" or \"b\", not \"" + d + "\"");
                return new Device(i, target.get(), d.charAt(0), number(origin, i, e, "major", MAX_MAJOR),
                        number(origin, i, e, "minor", MAX_MINOR), mode(origin, i, e, 0600));
            }
        }
    }

    private static String stripSpace(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) if (!Character.isWhitespace(s.charAt(k))) b.append(s.charAt(k));
        return b.toString();
    }

    private static String string(String origin, int i, Map<String, Object> e, String field) {
        Object v = e.get(field);
        if (!(v instanceof String)) throw bad(origin, i, field, "must be a string, not " + shown(v));
        return (String) v;
    }

    /** A target or source: see {@link InitrdPath#entry} for what is refused and why. */
    private static InitrdPath path(String origin, int i, Map<String, Object> e, String field) {
        String s = string(origin, i, e, field);
        try {
            return InitrdPath.entry(s);
        } catch (InitrdBuildException x) {
            throw bad(origin, i, field, x.getMessage());
        }
    }

    /** The largest device numbers the kernel's dev_t holds (12 bits major, 20 bits minor). */
    static final int MAX_MAJOR = 4095;
    static final int MAX_MINOR = (1 << 20) - 1;

    private static int number(String origin, int i, Map<String, Object> e, String field, int max) {
        Object v = e.get(field);
        if (v == null) throw bad(origin, i, field, "missing; a device needs \"major\" and \"minor\"");
        if (!(v instanceof JsonValues.Num n) || !n.isInt() || Integer.parseInt(n.text()) < 0
                || Integer.parseInt(n.text()) > max) {
            throw bad(origin, i, field, "must be an integer from 0 to " + max + ", not " + shown(v));
        }
        return Integer.parseInt(((JsonValues.Num) v).text());
    }

    /** A value as the file has it, shortened, for messages. */
    static String shown(Object v) {
        String s = v instanceof JsonValues.Num n ? n.text() : v instanceof String str ? "\"" + str + "\""
                : JsonValues.typeOf(v);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static int mode(String origin, int i, Map<String, Object> e, int dflt) {
        Object v = e.get("mode");
        if (v == null) return dflt;
        if (!(v instanceof String)) throw bad(origin, i, "mode", "must be an octal string from \"0000\" to \"07777\" such as \"0755\", not " + shown(v));
        String s = (String) v;
        if (!isOctalMode(s)) throw bad(origin, i, "mode", shown(s) + " is not an octal mode from \"0000\" to \"07777\" such as \"0755\"");
        return Integer.parseInt(s, 8) & 07777;
    }

    private static boolean isOctalMode(String s) {
        if (s.isEmpty() || s.length() > 5 || (s.length() == 5 && s.charAt(0) != '0')) return false;
        for (int k = 0; k < s.length(); k++) if (s.charAt(k) < '0' || s.charAt(k) > '7') return false;
        return true;
    }

    /** Where the list came from (its file name), for messages. */
    public String origin() {
        return origin;
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * Adds every entry to the closure's plan: copies with their closure (all sources at once, so
     * a build reports every missing source together), then links, generated files, directories
     * and devices, placed under the plan's symlinks. An explicit symlink that says what the
     * closure's copy of a sysroot link says in other words (dracut writes relative links) is
     * not a conflict.
     */
    public void applyTo(Closure closure) {
        List<InitrdPath> sources = new ArrayList<>();
        for (Entry e : entries) if (e instanceof Copy c) sources.add(c.source());
        closure.addAll(sources, REASON + " " + origin); // a missing source's message names the list
        for (Entry e : entries) {
            if (e instanceof Copy c) {
                if (c.target().isPresent()) closure.addLink(c.target().get(), c.source(), REASON);
            } else if (e instanceof GeneratedFile g) {
                closure.addPlaced(new PlanEntry.Generated(g.target(), g.content(), g.mode(), REASON));
            } else if (e instanceof EmptyDirectory d) {
                closure.addPlaced(new PlanEntry.Directory(d.target(), d.mode(), REASON));
            } else if (e instanceof Link l) {
                closure.addPlaced(new PlanEntry.Symlink(l.target(), l.linkTarget(), REASON));
            } else if (e instanceof Device d) {
                closure.addPlaced(new PlanEntry.DeviceNode(d.target(), d.kind(), d.major(), d.minor(), d.mode(), REASON));
            }
        }
    }

    /** The list as JSON in the same format (read back by {@link #parse}), one entry a line. */
    public String toJson() {
        StringWriter w = new StringWriter(64 * entries.size() + 4);
        try (JsonGenerator g = JsonValues.FACTORY.createGenerator(w).setPrettyPrinter(new JsonValues.OneEntryALine())) {
            g.writeStartArray();
            for (Entry e : entries) {
                g.writeStartObject();
                if (e instanceof Copy c) {
                    g.writeStringField("source", c.source().value());
                    if (c.target().isPresent()) g.writeStringField("target", c.target().get().value());
                } else if (e instanceof GeneratedFile f) {
                    g.writeStringField("target", f.target().value());
                    byte[] bytes = f.content();
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
                        g.writeStringField("text", text);
                    } else {
                        g.writeStringField("base64", Base64.getEncoder().encodeToString(bytes));
                    }
                    g.writeStringField("mode", octal(f.mode()));
                } else if (e instanceof EmptyDirectory d) {
                    g.writeStringField("target", d.target().value());
                    g.writeBooleanField("directory", true);
                    g.writeStringField("mode", octal(d.mode()));
                } else if (e instanceof Link l) {
                    g.writeStringField("target", l.target().value());
                    g.writeStringField("symlink", l.linkTarget());
                } else if (e instanceof Device d) {
                    g.writeStringField("target", d.target().value());
                    g.writeStringField("device", String.valueOf(d.kind()));
                    g.writeNumberField("major", d.major());
                    g.writeNumberField("minor", d.minor());
                    g.writeStringField("mode", octal(d.mode()));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException x) {
            throw new UncheckedIOException(x); // a StringWriter does not fail
        }
        return w.append('\n').toString();
    }

    private static String octal(int mode) {
        String o = Integer.toOctalString(mode);
        return "0000".substring(Math.min(4, o.length())) + o;
    }

    /** Writes {@link #toJson()} to {@code file} through a temporary file and a rename. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toJson());
    }
}
