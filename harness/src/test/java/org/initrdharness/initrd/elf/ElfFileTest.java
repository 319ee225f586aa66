package org.initrdharness.initrd.elf;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.initrd.Tools;
import org.testng.annotations.Test;

public class ElfFileTest {

    /** DT_NEEDED, RPATH and RUNPATH as binutils' readelf sees them. */
    private static List<String> readelfDynamic(Path file, String tag) throws Exception {
        Tools.require("readelf", "binutils");
        String out = Gcc.run(List.of("readelf", "-d", "-W", file.toString()));
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("\\(" + tag + "\\)\\s+[^\\[]*\\[(.*)\\]").matcher(out);
        while (m.find()) values.add(m.group(1));
        return values;
    }

    @Test
    public void bashNeedsWhatReadelfSays() throws Exception {
        Path bash = Path.of("/usr/bin/bash").toRealPath();
        ElfFile elf = ElfFile.read(bash);
        assertEquals(elf.needed(), readelfDynamic(bash, "NEEDED"));
        assertTrue(elf.needed().contains("libc.so.6"), elf.needed().toString());
        assertTrue(elf.interpreter().orElseThrow().matches("/lib.*/ld-linux.*\\.so\\.[12]"), elf.toString());
        assertEquals(elf.elfClass(), 64);
        assertTrue(elf.type() == ElfFile.ET_DYN || elf.type() == ElfFile.ET_EXEC);
        assertEquals(elf.byteOrder(), ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    public void javaLauncherSearchesNextToItself() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        ElfFile elf = ElfFile.read(java);
        String path = elf.runpath().or(elf::rpath).orElseThrow();
        assertTrue(path.contains("$ORIGIN"), path);
        List<String> expected = readelfDynamic(java, elf.runpath().isPresent() ? "RUNPATH" : "RPATH");
        assertEquals(List.of(path), expected);
        assertEquals(elf.needed(), readelfDynamic(java, "NEEDED"));
    }

    @Test
    public void libcHasItsSoname() throws Exception {
        Path bash = Path.of("/usr/bin/bash").toRealPath();
        ElfFile elf = ElfFile.read(bash);
        Path libc = null;
        for (String dir : List.of("/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64")) {
            if (Files.exists(Path.of(dir, "libc.so.6"))) libc = Path.of(dir, "libc.so.6");
        }
        assertTrue(libc != null, "no libc.so.6 in /lib/<multiarch>, /lib64 or /usr/lib64 (package libc6)");
        ElfFile l = ElfFile.read(libc);
        assertEquals(l.soname().orElseThrow(), "libc.so.6");
        assertTrue(l.compatibleWith(elf));
        assertTrue(l.sectionNames().contains(".dynsym"), l.sectionNames().toString());
        assertTrue(l.section(".no-such-section").isEmpty());
    }

    @Test
    public void kernelModuleModinfoIsReadable() throws Exception {
        Path dir = Files.createTempDirectory("elf");
        Path ko = Gcc.compile(dir.resolve("fake.ko"),
                "__attribute__((used, section(\".modinfo\"))) static const char a[] = \"license=GPL\";\n"
                + "__attribute__((used, section(\".modinfo\"))) static const char b[] = \"firmware=x/y.bin\";\n",
                "-c");
        ElfFile elf = ElfFile.read(ko);
        assertEquals(elf.type(), ElfFile.ET_REL);
        assertTrue(elf.needed().isEmpty());
        ByteBuffer mi = elf.section(".modinfo").orElseThrow();
        byte[] bytes = new byte[mi.remaining()];
        mi.get(bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.contains("license=GPL\0"), text);
        assertTrue(text.contains("firmware=x/y.bin\0"), text);
    }

    @Test
    public void dlopenNoteIsParsed() throws Exception {
        String json = "[{\"feature\":\"x\",\"soname\":[\"libfoo.so.1\"],\"priority\":\"recommended\"}]";
        int descsz = (json.length() + 1 + 3) / 4 * 4;
        String src = "struct n { unsigned namesz, descsz, type; char name[4]; char desc[" + descsz + "]; };\n"
                + "__attribute__((used, aligned(4), section(\".note.dlopen\"))) static const struct n note = {4, "
                + descsz + ", 0x407c0c0a, \"FDO\", \"" + json.replace("\"", "\\\"") + "\"};\n";
        Path so = Gcc.compile(Files.createTempDirectory("elf").resolve("libdl.so"), src, "-shared", "-fPIC");
        List<ElfNote> notes = ElfFile.read(so).notes(".note.dlopen");
        assertEquals(notes.size(), 1);
        assertEquals(notes.get(0).owner(), "FDO");
        assertEquals(notes.get(0).type(), ElfNote.FDO_DLOPEN_METADATA);
        assertEquals(notes.get(0).descriptorText(), json);
    }

    @Test
    public void thirtyTwoBitObjectIsRecognised() throws Exception {
        // Written by the test, so that every host arch has one (gcc -m32 exists only on x86).
        Path so = Files.write(Files.createTempDirectory("elf").resolve("lib32.so"),
                SyntheticElf.of(false, ByteOrder.LITTLE_ENDIAN, ElfFile.EM_386).soname("lib32.so.1").runpath("/x").bytes());
        ElfFile elf = ElfFile.read(so);
        assertEquals(elf.elfClass(), 32);
        assertEquals(elf.machine(), ElfFile.EM_386);
        assertEquals(elf.soname().orElseThrow(), "lib32.so.1");
        assertEquals(elf.runpath().orElseThrow(), "/x");
        assertTrue(elf.rpath().isEmpty());
    }

    @Test
    public void everyClassAndByteOrderIsRead() throws Exception {
        Path dir = Files.createTempDirectory("elf");
        for (boolean is64 : new boolean[] {false, true}) {
            for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
                Path f = dir.resolve("e" + is64 + order);
                Files.write(f, SyntheticElf.of(is64, order, 22).interp("/lib/ld64.so.1")
                        .needed("libc.so.6", "libz.so.1").rpath("/opt/r").runpath("$ORIGIN/../lib")
                        .soname("libq.so.2").bytes());
                ElfFile elf = ElfFile.read(f);
                String what = is64 + " " + order;
                assertEquals(elf.elfClass(), is64 ? 64 : 32, what);
                assertEquals(elf.byteOrder(), order, what);
                assertEquals(elf.machine(), 22, what);
                assertEquals(elf.interpreter().orElseThrow(), "/lib/ld64.so.1", what);
                assertEquals(elf.needed(), List.of("libc.so.6", "libz.so.1"), what);
                assertEquals(elf.rpath().orElseThrow(), "/opt/r", what);
                assertEquals(elf.runpath().orElseThrow(), "$ORIGIN/../lib", what);
                assertEquals(elf.soname().orElseThrow(), "libq.so.2", what);
                assertTrue(elf.sectionNames().isEmpty());
            }
        }
    }

    @Test
    public void nonElfAndTruncatedFilesAreRefusedByName() throws Exception {
        Path dir = Files.createTempDirectory("elf");
        Path text = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        assertFalse(ElfFile.isElf(text));
        assertFalse(ElfFile.isElf(dir));
        assertFalse(ElfFile.isElf(dir.resolve("missing")));
        assertTrue(ElfFile.readIfElf(text).isEmpty());
        ElfFormatException e = expectThrows(ElfFormatException.class, () -> ElfFile.read(text));
        assertTrue(e.getMessage().contains("script.sh"), e.getMessage());

        byte[] full = SyntheticElf.of(true, ByteOrder.LITTLE_ENDIAN, 62).needed("libc.so.6").bytes();
        Path cut = dir.resolve("cut.so");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length - 20));
        assertTrue(ElfFile.isElf(cut));
        e = expectThrows(ElfFormatException.class, () -> ElfFile.read(cut));
        assertTrue(e.getMessage().contains("cut.so"), e.getMessage());
    }
}
