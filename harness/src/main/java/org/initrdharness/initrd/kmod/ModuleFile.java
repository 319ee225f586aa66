package org.initrdharness.initrd.kmod;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.elf.ElfFile;

/** Sections of a module file (.ko, or .ko.xz/.ko.zst/.ko.gz unpacked to a temporary file first). */
final class ModuleFile {
    private ModuleFile() { }

    /** The module's {@code .modinfo}. */
    static Modinfo modinfo(Path file) throws IOException {
        return Modinfo.parse(section(file, ".modinfo").orElse(ByteBuffer.allocate(0)));
    }

    /** Names the module exports (its __ksymtab_strings), for modules.symbols. */
    static List<String> exportedSymbols(Path file) {
        try {
            Optional<ByteBuffer> strings = section(file, "__ksymtab_strings");
            if (strings.isEmpty()) return List.of();
            ByteBuffer b = strings.get().duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    if (i > start) out.add(new String(bytes, start, i - start, StandardCharsets.US_ASCII));
                    start = i + 1;
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<ByteBuffer> section(Path file, String name) throws IOException {
        if (file.getFileName().toString().endsWith(".ko")) {
            return readSection(file, file, name);
        }
        Path tmp = Files.createTempFile("initrd-kmod-", ".ko");
        try {
            try (InputStream in = decompressing(file)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return readSection(tmp, file, name);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Optional<ByteBuffer> readSection(Path elf, Path module, String name) throws IOException {
        try {
            return ElfFile.read(elf).section(name);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InitrdBuildException("kernel module " + module + " is not a readable ELF file ("
                    + e.getMessage() + "); the kernel package may be damaged: unpack it again", e);
        }
    }

    private static InputStream decompressing(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        String n = file.getFileName().toString();
        if (n.endsWith(".xz")) return new org.tukaani.xz.XZInputStream(raw);
        if (n.endsWith(".zst")) return new com.github.luben.zstd.ZstdInputStream(raw);
        if (n.endsWith(".gz")) return new GZIPInputStream(raw);
        raw.close();
        throw new InitrdBuildException("kernel module " + file + ": unsupported compression (use .ko, .ko.xz, "
                + ".ko.zst or .ko.gz)");
    }
}
