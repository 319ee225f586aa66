package org.initrdharness.initrd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON contents list: make-initrd-ng's array of {@code {"source": "/abs", "target": "/link"}}
 * (the source is copied to its own path with its closure; the optional target becomes a symlink
 * to it) plus what a stage 1 needs besides copies:
 * <pre>
 * {"target": "/init", "text": "#!/bin/sh\n...", "mode": "0755"}      generated file (or "base64")
 * {"target": "/sysroot", "directory": true, "mode": "0755"}          empty directory
 * {"target": "/dev/console", "device": "c", "major": 5, "minor": 1, "mode": "0600"}
 * </pre>
 * Bad input fails with the file, the entry's index and the field at fault.
 */
public final class ContentsList {
    /** What the plan entries made from a contents list give as their reason. */
    public static final String REASON = "contents list";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIELDS =
            List.of("source", "target", "text", "base64", "mode", "directory", "device", "major", "minor");

    private final String origin;
    private final List<Entry> entries;

    /** One entry of the list; {@code index} is its position in the JSON array, from 0. */
    public sealed interface Entry permits Copy, GeneratedFile, EmptyDirectory, Device {
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

    public record EmptyDirectory(int index, InitrdPath target, int mode) implements Entry {}

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

    /** Reads and checks the JSON file {@code file}. */
    public static ContentsList read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InitrdBuildException("contents list " + file + " does not exist");
        }
        return parse(text, file.toString());
    }

    /** Parses JSON text; {@code origin} (a file name) is named in every error. */
    public static ContentsList parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new InitrdBuildException("contents list " + origin + " is not valid JSON" + where + ": "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new InitrdBuildException("contents list " + origin
                    + " must be a JSON array of entries like {\"source\": \"/usr/bin/sh\"}");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) out.add(entry(origin, i, root.get(i)));
        return new ContentsList(origin, out);
    }

    private static InitrdBuildException bad(String origin, int index, String field, String what) {
        return new InitrdBuildException("contents list " + origin + ", entry " + index
                + (field == null ? "" : ", field \"" + field + "\"") + ": " + what);
    }

    private static Entry entry(String origin, int i, JsonNode e) {
        if (!e.isObject()) throw bad(origin, i, null, "must be an object, not " + e.getNodeType().name().toLowerCase());
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw bad(origin, i, f, "unknown field; known fields: " + String.join(", ", FIELDS));
        }
        Set<String> kinds = new LinkedHashSet<>();
        for (String k : List.of("source", "text", "base64", "directory", "device")) if (e.has(k)) kinds.add(k);
        if (kinds.isEmpty()) throw bad(origin, i, null, "needs one of \"source\", \"text\", \"base64\", \"directory\", \"device\"");
        if (kinds.size() > 1) throw bad(origin, i, null, "give only one of " + String.join(", ", kinds));
        String kind = kinds.iterator().next();
        Optional<InitrdPath> target = e.has("target") ? Optional.of(path(origin, i, e, "target")) : Optional.empty();
        if (!kind.equals("source") && target.isEmpty()) throw bad(origin, i, "target", "missing; \"" + kind + "\" needs a target path");
        if (!kind.equals("device")) {
            for (String f : List.of("major", "minor")) if (e.has(f)) throw bad(origin, i, f, "only allowed with \"device\"");
        }
        switch (kind) {
            case "source": {
                if (e.has("mode")) throw bad(origin, i, "mode", "not allowed with \"source\": a copy keeps the source's mode");
                return new Copy(i, path(origin, i, e, "source"), target);
            }
            case "text":
                return new GeneratedFile(i, target.get(), string(origin, i, e, "text").getBytes(StandardCharsets.UTF_8),
                        mode(origin, i, e, 0644));
            case "base64": {
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(string(origin, i, e, "base64").replaceAll("\\s", ""));
                } catch (IllegalArgumentException x) {
                    throw bad(origin, i, "base64", "not valid base64: " + x.getMessage());
                }
                return new GeneratedFile(i, target.get(), bytes, mode(origin, i, e, 0644));
            }
            case "directory": {
                if (!e.get("directory").isBoolean() || !e.get("directory").booleanValue()) {
                    throw bad(origin, i, "directory", "must be true");
                }
                return new EmptyDirectory(i, target.get(), mode(origin, i, e, 0755));
            }
            default: {
                String d = string(origin, i, e, "device");
                if (!d.equals("c") && !d.equals("b")) throw bad(origin, i, "device", "must be \"c\" or \"b\", not \"" + d + "\"");
                return new Device(i, target.get(), d.charAt(0), number(origin, i, e, "major"), number(origin, i, e, "minor"),
                        mode(origin, i, e, 0600));
            }
        }
    }

    private static String string(String origin, int i, JsonNode e, String field) {
        JsonNode v = e.get(field);
        if (v == null || !v.isTextual()) throw bad(origin, i, field, "must be a string");
        return v.textValue();
    }

    private static InitrdPath path(String origin, int i, JsonNode e, String field) {
        String s = string(origin, i, e, field);
        if (!s.startsWith("/")) throw bad(origin, i, field, "must be an absolute path, not \"" + s + "\"");
        try {
            return InitrdPath.of(s);
        } catch (InitrdBuildException x) {
            throw bad(origin, i, field, x.getMessage());
        }
    }

    private static int number(String origin, int i, JsonNode e, String field) {
        JsonNode v = e.get(field);
        if (v == null) throw bad(origin, i, field, "missing; a device needs \"major\" and \"minor\"");
        if (!v.isInt() || v.intValue() < 0) throw bad(origin, i, field, "must be a non-negative integer");
        return v.intValue();
    }

    private static int mode(String origin, int i, JsonNode e, int dflt) {
        JsonNode v = e.get("mode");
        if (v == null) return dflt;
        if (!v.isTextual()) throw bad(origin, i, "mode", "must be an octal string such as \"0755\"");
        String s = v.textValue();
        if (!s.matches("0?[0-7]{1,4}")) throw bad(origin, i, "mode", "\"" + s + "\" is not an octal mode such as \"0755\"");
        return Integer.parseInt(s, 8) & 07777;
    }

    /** Where the list came from (its file name), for messages. */
    public String origin() {
        return origin;
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * Adds every entry to the closure's plan: copies with their closure (all sources first, so a
     * build reports every missing source at once), then links, generated files, directories and
     * devices. Paths under symlinks already in the plan are placed under the links' targets.
     */
    public void applyTo(Closure closure) {
        List<InitrdPath> sources = new ArrayList<>();
        for (Entry e : entries) if (e instanceof Copy c) sources.add(c.source());
        closure.addAll(sources, REASON);
        InitrdPlan.Builder plan = closure.plan();
        for (Entry e : entries) {
            if (e instanceof Copy c) {
                if (c.target().isPresent()) closure.addLink(c.target().get(), c.source(), REASON);
            } else if (e instanceof GeneratedFile g) {
                plan.add(new PlanEntry.Generated(closure.resolveInPlan(g.target()), g.content(), g.mode(), REASON));
            } else if (e instanceof EmptyDirectory d) {
                plan.add(new PlanEntry.Directory(closure.resolveInPlan(d.target()), d.mode(), REASON));
            } else if (e instanceof Device d) {
                plan.add(new PlanEntry.DeviceNode(closure.resolveInPlan(d.target()), d.kind(), d.major(), d.minor(),
                        d.mode(), REASON));
            }
        }
    }

    /** The list as JSON in the same format (read back by {@link #parse}). */
    public String toJson() {
        ArrayNode arr = JSON.createArrayNode();
        for (Entry e : entries) {
            ObjectNode o = arr.addObject();
            if (e instanceof Copy c) {
                o.put("source", c.source().value());
                c.target().ifPresent(t -> o.put("target", t.value()));
            } else if (e instanceof GeneratedFile g) {
                o.put("target", g.target().value());
                byte[] b = g.content();
                String text = new String(b, StandardCharsets.UTF_8);
                if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), b)) o.put("text", text);
                else o.put("base64", Base64.getEncoder().encodeToString(b));
                o.put("mode", String.format("%04o", g.mode()));
            } else if (e instanceof EmptyDirectory d) {
                o.put("target", d.target().value()).put("directory", true).put("mode", String.format("%04o", d.mode()));
            } else if (e instanceof Device d) {
                o.put("target", d.target().value()).put("device", String.valueOf(d.kind()))
                        .put("major", d.major()).put("minor", d.minor()).put("mode", String.format("%04o", d.mode()));
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(arr) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@link #toJson()} to {@code file} through a temporary file and a rename. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
