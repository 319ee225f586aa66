package org.initrdharness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.initrdharness.files.AtomicFiles;

/**
 * Everything a boot used, as inputs.json beside its console log: QEMU's command line for a
 * terminal with its files replaced by tokens ({@value #DIR} for the machine's scratch
 * directory, {@code @{input:ID}} for an input), the inputs by content hash, the overlays and
 * empty disks to make before QEMU starts, and what was typed on the console (secrets as
 * "&lt;secret&gt;": they are never recorded).
 */
public record BootManifest(
        String arch,
        String accelerator,
        String kernelCommandLine,
        List<String> command,
        List<BootInput> inputs,
        List<Overlay> overlays,
        List<EmptyImage> empties,
        List<String> typed) {

    public static final int VERSION = 1;
    public static final String FILE = "inputs.json";
    /** Stands for the directory that holds the sockets and overlays. */
    public static final String DIR = "@{dir}";
    /** The id prefix of a software TPM's state files: "tpm-state:tpm2-00.permall". */
    public static final String TPM_STATE = "tpm-state:";

    /** A fresh qcow2 overlay {@code file} over input {@code input}. */
    public record Overlay(String file, String input, String format) {}

    /** A fresh empty qcow2 disk. */
    public record EmptyImage(String file, long sizeBytes) {}

    public BootManifest {
        command = List.copyOf(command);
        inputs = List.copyOf(inputs);
        overlays = List.copyOf(overlays);
        empties = List.copyOf(empties);
        typed = List.copyOf(typed);
    }

    /** The token for input {@code id}. */
    public static String token(String id) {
        return "@{input:" + id + "}";
    }

    /**
     * {@code command} with {@code scratch} and every input's path replaced by tokens (also where
     * QEMU's option syntax doubled a comma in it).
     */
    public static List<String> tokenize(List<String> command, Path scratch, List<BootInput> inputs) {
        // Longest paths first: one path may be the prefix of another (kernel, kernel.vmlinux).
        List<BootInput> byLength = new ArrayList<>(inputs);
        byLength.sort((x, y) -> y.path().toString().length() - x.path().toString().length());
        List<String> out = new ArrayList<>();
        for (String a : command) {
            for (BootInput in : byLength) {
                String p = in.path().toString();
                a = a.replace(p.replace(",", ",,"), token(in.id())).replace(p, token(in.id()));
            }
            a = a.replace(scratch.toString().replace(",", ",,"), DIR).replace(scratch.toString(), DIR);
            out.add(a);
        }
        return out;
    }

    /** The command with its tokens replaced: {@code dir} for the scratch directory, {@code files} for the inputs. */
    public List<String> resolve(Path dir, Map<String, Path> files) {
        List<String> out = new ArrayList<>();
        for (String a : command) {
            boolean option = !a.startsWith(DIR) && !a.startsWith("@{input:");
            a = a.replace(DIR, escape(dir.toString(), option));
            for (BootInput in : inputs) {
                Path f = files.get(in.id());
                if (f != null) a = a.replace(token(in.id()), escape(f.toString(), option));
            }
            if (a.contains("@{")) throw new IllegalStateException("no file for " + a + " in " + files.keySet());
            out.add(a);
        }
        return out;
    }

    /** A file of the scratch directory ("@{dir}/disk-root.qcow2") in {@code dir}. */
    public static Path inDir(String file, Path dir) {
        return Path.of(file.replace(DIR, dir.toString()));
    }

    private static String escape(String path, boolean inOption) {
        return inOption ? path.replace(",", ",,") : path;
    }

    public Optional<BootInput> input(String id) {
        return inputs.stream().filter(i -> i.id().equals(id)).findFirst();
    }

    /** The same manifest with what was typed on the console and disks plugged while it ran. */
    public BootManifest with(List<String> typed, List<BootInput> hotplugged) {
        List<BootInput> all = new ArrayList<>(inputs);
        all.addAll(hotplugged);
        return new BootManifest(arch, accelerator, kernelCommandLine, command, all, overlays, empties, typed);
    }

    public void write(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("arch", arch);
        m.put("accelerator", accelerator);
        m.put("kernelCommandLine", kernelCommandLine);
        m.put("command", command);
        List<Map<String, Object>> ins = new ArrayList<>();
        for (BootInput i : inputs) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", i.id());
            e.put("role", i.role());
            e.put("path", i.path().toString());
            e.put("sha256", i.sha256());
            e.put("size", i.size());
            if (i.format() != null) e.put("format", i.format());
            ins.add(e);
        }
        m.put("inputs", ins);
        m.put("overlays", overlays);
        m.put("empties", empties);
        m.put("typed", typed);
        AtomicFiles.write(file, out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, m));
    }

    /** Reads inputs.json; a file that is not one is refused naming the file and the field. */
    public static BootManifest read(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + " is not a boot's inputs.json: " + e.getMessage(), e);
        }
        if (n == null || n.path("version").asInt() != VERSION) {
            throw new IOException(file + ": version " + (n == null ? "none" : n.path("version")) + ", this harness reads " + VERSION);
        }
        List<BootInput> ins = new ArrayList<>();
        for (JsonNode i : require(n, "inputs", file)) {
            ins.add(new BootInput(text(i, "id", file), text(i, "role", file), Path.of(text(i, "path", file)),
                    text(i, "sha256", file), i.path("size").asLong(), i.hasNonNull("format") ? i.get("format").asText() : null));
        }
        List<Overlay> ovs = new ArrayList<>();
        for (JsonNode o : require(n, "overlays", file)) {
            ovs.add(new Overlay(text(o, "file", file), text(o, "input", file), text(o, "format", file)));
        }
        List<EmptyImage> es = new ArrayList<>();
        for (JsonNode e : require(n, "empties", file)) es.add(new EmptyImage(text(e, "file", file), e.path("sizeBytes").asLong()));
        List<String> cmd = new ArrayList<>();
        for (JsonNode c : require(n, "command", file)) cmd.add(c.asText());
        List<String> typed = new ArrayList<>();
        for (JsonNode t : n.path("typed")) typed.add(t.asText());
        return new BootManifest(text(n, "arch", file), n.path("accelerator").asText(""), n.path("kernelCommandLine").asText(""),
                cmd, ins, ovs, es, typed);
    }

    private static JsonNode require(JsonNode n, String field, Path file) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) throw new IOException(file + ": field '" + field + "' is missing or not a list");
        return v;
    }

    private static String text(JsonNode n, String field, Path file) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new IOException(file + ": field '" + field + "' is missing or not text");
        return v.asText();
    }
}
