package org.initrdharness.initrd.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The headers of one ELF file (32 or 64 bit, either byte order): what the loader and the
 * closure need (interpreter, DT_NEEDED, RPATH, RUNPATH, SONAME) and, on demand, named sections
 * such as a kernel module's {@code .modinfo}. Only headers and the few byte ranges they point at
 * are read, never the whole file, so a 100 MB library costs a handful of small reads.
 * Instances are immutable and safe to share between threads. Over 400 lines because the ELF
 * format's header, program-header, section and dynamic-table readers share one byte-order-aware
 * cursor; split apart they would pass it around on every call.
 */
public final class ElfFile {
    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;

    public static final int EM_386 = 3;
    public static final int EM_ARM = 40;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    public static final int EM_RISCV = 243;

    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final int DT_NULL = 0;
    private static final int DT_NEEDED = 1;
    private static final int DT_STRTAB = 5;
    private static final int DT_STRSZ = 10;
    private static final int DT_SONAME = 14;
    private static final int DT_RPATH = 15;
    private static final int DT_RUNPATH = 29;
    private static final int SHT_NOBITS = 8;
    private static final int PN_XNUM = 0xffff;
    private static final int SHN_XINDEX = 0xffff;

    /** One read at the start covers the ELF header, the program headers and usually PT_INTERP. */
    private static final int HEAD_READ = 4096;
    /** Above this a string table is read string by string instead of whole. */
    private static final int WHOLE_STRTAB_LIMIT = 64 * 1024;
    /** Refuse absurd sizes from corrupt headers instead of allocating them. */
    private static final long MAX_TABLE = 256L * 1024 * 1024;

    private final Path path;
    private final boolean is64;
    private final ByteOrder order;
    private final int type;
    private final int machine;
    private final int osAbi;
    private final String interpreter;
    private final List<String> needed;
    private final String rpath;
    private final String runpath;
    private final String soname;
    private final long shoff;
    private final int shentsize;
    private final int shnumField;
    private final int shstrndxField;
    private volatile Map<String, Section> sections;

    private record Section(String name, int type, long offset, long size, long align) {}

    private record Phdr(int type, long offset, long vaddr, long filesz) {}

    private ElfFile(Path path, boolean is64, ByteOrder order, int type, int machine, int osAbi,
            String interpreter, List<String> needed, String rpath, String runpath, String soname,
            long shoff, int shentsize, int shnum, int shstrndx) {
        this.path = path;
        this.is64 = is64;
        this.order = order;
        this.type = type;
        this.machine = machine;
        this.osAbi = osAbi;
        this.interpreter = interpreter;
        this.needed = needed;
        this.rpath = rpath;
        this.runpath = runpath;
        this.soname = soname;
        this.shoff = shoff;
        this.shentsize = shentsize;
        this.shnumField = shnum;
        this.shstrndxField = shstrndx;
    }

    /** True when {@code file} is a regular file starting with the ELF magic; never throws. */
    public static boolean isElf(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            while (b.hasRemaining() && ch.read(b) > 0) { }
            return !b.hasRemaining() && hasMagic(b, 0);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean hasMagic(ByteBuffer b, int at) {
        return b.get(at) == 0x7f && b.get(at + 1) == 'E' && b.get(at + 2) == 'L' && b.get(at + 3) == 'F';
    }

    /**
     * Reads the headers of {@code file}.
     *
     * @throws ElfFormatException when the file is not ELF or its headers are truncated or corrupt
     * @throws IOException when the file cannot be read
     */
    public static ElfFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(file, ch).read(false);
        }
    }

    /**
     * The headers of {@code file} when it starts with the ELF magic, else empty; one open and
     * one read for a file that is not ELF.
     *
     * @throws ElfFormatException when it has the magic but its headers are corrupt
     */
    public static Optional<ElfFile> readIfElf(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return Optional.ofNullable(new Reader(file, ch).read(true));
        }
    }

    /** The host path this was read from. */
    public Path path() {
        return path;
    }

    /** 32 or 64 (EI_CLASS). */
    public int elfClass() {
        return is64 ? 64 : 32;
    }

    public boolean is64Bit() {
        return is64;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    /** e_type: {@link #ET_REL} (kernel modules, objects), {@link #ET_EXEC}, {@link #ET_DYN}. */
    public int type() {
        return type;
    }

    /** e_machine, e.g. {@link #EM_X86_64} or {@link #EM_AARCH64}. */
    public int machine() {
        return machine;
    }

    /** EI_OSABI (0 = System V, 3 = GNU/Linux). */
    public int osAbi() {
        return osAbi;
    }

    /**
     * True when a library of this file's kind can be loaded by {@code other}'s loader: same class,
     * byte order and machine. This is the check ld.so makes before accepting a search candidate.
     */
    public boolean compatibleWith(ElfFile other) {
        return other.is64 == is64 && other.order.equals(order) && other.machine == machine;
    }

    /** The PT_INTERP path (the dynamic loader), if any. */
    public Optional<String> interpreter() {
        return Optional.ofNullable(interpreter);
    }

    /** DT_NEEDED entries in file order. */
    public List<String> needed() {
        return needed;
    }

    /** DT_RPATH, colon-separated and unexpanded. */
    public Optional<String> rpath() {
        return Optional.ofNullable(rpath);
    }

    /** DT_RUNPATH, colon-separated and unexpanded. */
    public Optional<String> runpath() {
        return Optional.ofNullable(runpath);
    }

    public Optional<String> soname() {
        return Optional.ofNullable(soname);
    }

    /** True when the file has a dynamic section (it loads or is loaded as a shared object). */
    public boolean isDynamic() {
        return interpreter != null || !needed.isEmpty() || soname != null || rpath != null || runpath != null;
    }

    /** Names of all sections, in section-header order (the empty name of section 0 left out). */
    public List<String> sectionNames() throws IOException {
        return List.copyOf(sections().keySet());
    }

    /**
     * The content of the first section called {@code name} (".modinfo", ".note.dlopen"), as a
     * read-only buffer in the file's byte order; empty for a SHT_NOBITS section. A section
     * compressed by the linker (SHF_COMPRESSED, e.g. debug info) comes as stored. Section headers
     * are read on the first call and kept.
     */
    public Optional<ByteBuffer> section(String name) throws IOException {
        Section s = sections().get(name);
        if (s == null) return Optional.empty();
        if (s.type == SHT_NOBITS || s.size == 0) {
            return Optional.of(ByteBuffer.allocate(0).order(order).asReadOnlyBuffer());
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Reader r = new Reader(path, ch);
            r.is64 = is64;
            r.order = order;
            return Optional.of(r.readAt(s.offset, checkedSize(s.size, "section " + name)).asReadOnlyBuffer());
        }
    }

    /** The notes in section {@code name} (e.g. ".note.dlopen"); empty when there is no such section. */
    public List<ElfNote> notes(String name) throws IOException {
        Optional<ByteBuffer> content = section(name);
        if (content.isEmpty()) return List.of();
        long align = sections().get(name).align;
        return parseNotes(content.get(), align == 8 ? 8 : 4, name);
    }

    private List<ElfNote> parseNotes(ByteBuffer b, int align, String name) throws ElfFormatException {
        List<ElfNote> out = new ArrayList<>();
        b = b.duplicate().order(order);
        int pos = 0;
        while (pos + 12 <= b.limit()) {
            long namesz = Integer.toUnsignedLong(b.getInt(pos));
            long descsz = Integer.toUnsignedLong(b.getInt(pos + 4));
            int ntype = b.getInt(pos + 8);
            long nameStart = pos + 12L;
            long descStart = nameStart + roundUp(namesz, align);
            long end = descStart + roundUp(descsz, align);
            if (descStart + descsz > b.limit() || nameStart + namesz > b.limit()) {
                throw new ElfFormatException(path, "note in " + name + " at offset " + pos + " runs past the section");
            }
            int nlen = (int) namesz;
            while (nlen > 0 && b.get((int) nameStart + nlen - 1) == 0) nlen--;
            byte[] nb = new byte[nlen];
            b.get((int) nameStart, nb);
            byte[] desc = new byte[(int) descsz];
            b.get((int) descStart, desc);
            out.add(new ElfNote(new String(nb, StandardCharsets.UTF_8), ntype, desc));
            pos = (int) Math.min(end, b.limit());
        }
        return out;
    }

    private static long roundUp(long v, int align) {
        return (v + align - 1) & -align;
    }

    private int checkedSize(long size, String what) throws ElfFormatException {
        if (size < 0 || size > MAX_TABLE) throw new ElfFormatException(path, what + " has absurd size " + size);
        return (int) size;
    }

    private Map<String, Section> sections() throws IOException {
        Map<String, Section> s = sections;
        if (s == null) {
            synchronized (this) {
                s = sections;
                if (s == null) {
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                        s = new Reader(path, ch).sectionTable(this);
                    }
                    sections = s;
                }
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + ", ELF" + elfClass() + ", machine " + machine + ", type " + type
                + (interpreter != null ? ", interp " + interpreter : "") + ", needed " + needed + "]";
    }

    /** Reading state for one open channel. */
    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private final long size;
        private ByteBuffer head;
        private boolean is64;
        private ByteOrder order;

        Reader(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.size = ch.size();
        }

        private ElfFormatException bad(String what) {
            return new ElfFormatException(file, what);
        }

        /** False when the file does not start with the ELF magic. */
        private boolean readIdent() throws IOException {
            int n = (int) Math.min(size, HEAD_READ);
            if (n < 4) return false;
            head = ByteBuffer.allocate(n);
            fill(head, 0);
            if (!hasMagic(head, 0)) return false;
            if (n < 52) throw bad("only " + size + " bytes, shorter than an ELF header");
            int cls = head.get(4);
            if (cls != 1 && cls != 2) throw bad("unknown EI_CLASS " + cls);
            int data = head.get(5);
            if (data != 1 && data != 2) throw bad("unknown EI_DATA " + data);
            is64 = cls == 2;
            order = data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            head.order(order);
            if (is64 && n < 64) throw bad("only " + size + " bytes, shorter than an ELF64 header");
            return true;
        }

        private void fill(ByteBuffer b, long at) throws IOException {
            long pos = at;
            while (b.hasRemaining()) {
                int r = ch.read(b, pos);
                if (r < 0) throw bad("unexpected end of file at offset " + pos);
                pos += r;
            }
            b.flip();
        }

        /** {@code len} bytes at {@code offset}, from the head buffer when they lie within it. */
        ByteBuffer readAt(long offset, int len) throws IOException {
            if (offset < 0 || len < 0 || offset + len > size) {
                throw bad("range " + offset + "+" + len + " lies outside the file (" + size + " bytes)");
            }
            if (head != null && offset + len <= head.limit()) {
                return head.duplicate().position((int) offset).limit((int) offset + len).slice().order(order);
            }
            ByteBuffer b = ByteBuffer.allocate(len);
            fill(b, offset);
            return b.order(order);
        }

        private long addr(ByteBuffer b, int at) {
            return is64 ? b.getLong(at) : Integer.toUnsignedLong(b.getInt(at));
        }

        private static int u16(ByteBuffer b, int at) {
            return Short.toUnsignedInt(b.getShort(at));
        }

        /** The headers, or null for a file without the ELF magic when {@code lenient}. */
        ElfFile read(boolean lenient) throws IOException {
            if (!readIdent()) {
                if (lenient) return null;
                throw bad("no ELF magic");
            }
            int type = u16(head, 16);
            int machine = u16(head, 18);
            int osAbi = head.get(7) & 0xff;
            long phoff = addr(head, is64 ? 32 : 28);
            long shoff = addr(head, is64 ? 40 : 32);
            int phentsize = u16(head, is64 ? 54 : 42);
            int phnum = u16(head, is64 ? 56 : 44);
            int shentsize = u16(head, is64 ? 58 : 46);
            int shnum = u16(head, is64 ? 60 : 48);
            int shstrndx = u16(head, is64 ? 62 : 50);
            if (phnum == PN_XNUM && shoff != 0) {
                phnum = (int) Integer.toUnsignedLong(section0(shoff, shentsize).getInt(is64 ? 44 : 28));
            }

            List<Phdr> phdrs = new ArrayList<>();
            if (phnum > 0 && phoff != 0) {
                if (phentsize < (is64 ? 56 : 32)) throw bad("e_phentsize " + phentsize + " too small");
                ByteBuffer ph = readAt(phoff, checked((long) phnum * phentsize, "program headers"));
                for (int i = 0; i < phnum; i++) {
                    int o = i * phentsize;
                    int ptype = ph.getInt(o);
                    if (is64) {
                        phdrs.add(new Phdr(ptype, ph.getLong(o + 8), ph.getLong(o + 16), ph.getLong(o + 32)));
                    } else {
                        phdrs.add(new Phdr(ptype, Integer.toUnsignedLong(ph.getInt(o + 4)),
                                Integer.toUnsignedLong(ph.getInt(o + 8)), Integer.toUnsignedLong(ph.getInt(o + 16))));
                    }
                }
            }

            String interp = null;
            Phdr dynamic = null;
            for (Phdr p : phdrs) {
                if (p.type == PT_INTERP && interp == null) {
                    ByteBuffer b = readAt(p.offset, checked(p.filesz, "PT_INTERP"));
                    interp = cString(b, 0);
                } else if (p.type == PT_DYNAMIC && dynamic == null) {
                    dynamic = p;
                }
            }

            List<String> needed = new ArrayList<>();
            String rpath = null, runpath = null, soname = null;
            if (dynamic != null && dynamic.filesz > 0) {
                ByteBuffer dyn = readAt(dynamic.offset, checked(dynamic.filesz, "PT_DYNAMIC"));
                int entsize = is64 ? 16 : 8;
                long strtab = -1, strsz = -1;
                List<Long> neededOffsets = new ArrayList<>();
                long rpathOff = -1, runpathOff = -1, sonameOff = -1;
                for (int o = 0; o + entsize <= dyn.limit(); o += entsize) {
                    long tag = is64 ? dyn.getLong(o) : dyn.getInt(o);
                    long val = is64 ? dyn.getLong(o + 8) : Integer.toUnsignedLong(dyn.getInt(o + 4));
                    if (tag == DT_NULL) break;
                    if (tag == DT_NEEDED) neededOffsets.add(val);
                    else if (tag == DT_STRTAB) strtab = val;
                    else if (tag == DT_STRSZ) strsz = val;
                    else if (tag == DT_RPATH) rpathOff = val;
                    else if (tag == DT_RUNPATH) runpathOff = val;
                    else if (tag == DT_SONAME) sonameOff = val;
                }
                boolean wantStrings = !neededOffsets.isEmpty() || rpathOff >= 0 || runpathOff >= 0 || sonameOff >= 0;
                if (wantStrings) {
                    if (strtab < 0) throw bad("dynamic section has strings but no DT_STRTAB");
                    long strOff = fileOffset(phdrs, strtab);
                    if (strOff < 0) throw bad("DT_STRTAB 0x" + Long.toHexString(strtab) + " is in no PT_LOAD segment");
                    if (strsz < 0 || strOff + strsz > size) strsz = size - strOff;
                    Strings strings = new Strings(strOff, strsz);
                    for (long off : neededOffsets) needed.add(strings.at(off));
                    if (rpathOff >= 0) rpath = strings.at(rpathOff);
                    if (runpathOff >= 0) runpath = strings.at(runpathOff);
                    if (sonameOff >= 0) soname = strings.at(sonameOff);
                }
            }
            return new ElfFile(file, is64, order, type, machine, osAbi, interp,
                    Collections.unmodifiableList(needed), rpath, runpath, soname,
                    shoff, shentsize, shnum, shstrndx);
        }

        private int checked(long len, String what) throws ElfFormatException {
            if (len < 0 || len > MAX_TABLE) throw bad(what + " has absurd size " + len);
            return (int) len;
        }

        private static long fileOffset(List<Phdr> phdrs, long vaddr) {
            for (Phdr p : phdrs) {
                if (p.type == PT_LOAD && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) {
                    return vaddr - p.vaddr + p.offset;
                }
            }
            return -1;
        }

        /** The dynamic string table, read whole when small, string by string when large. */
        private final class Strings {
            private final long offset;
            private final long size;
            private final ByteBuffer whole;

            Strings(long offset, long size) throws IOException {
                this.offset = offset;
                this.size = size;
                this.whole = size <= WHOLE_STRTAB_LIMIT ? readAt(offset, (int) size) : null;
            }

            String at(long off) throws IOException {
                if (off < 0 || off >= size) throw bad("string offset " + off + " outside DT_STRTAB (" + size + " bytes)");
                if (whole != null) return cString(whole, (int) off);
                int chunk = 256;
                while (true) {
                    int len = (int) Math.min(chunk, size - off);
                    ByteBuffer b = readAt(offset + off, len);
                    for (int i = 0; i < len; i++) {
                        if (b.get(i) == 0) return decode(b, 0, i);
                    }
                    if (len < chunk || chunk >= 1 << 20) throw bad("unterminated string at DT_STRTAB+" + off);
                    chunk *= 4;
                }
            }
        }

        private ByteBuffer section0(long shoff, int shentsize) throws IOException {
            if (shentsize < (is64 ? 64 : 40)) throw bad("e_shentsize " + shentsize + " too small");
            return readAt(shoff, shentsize);
        }

        Map<String, Section> sectionTable(ElfFile elf) throws IOException {
            this.is64 = elf.is64;
            this.order = elf.order;
            Map<String, Section> out = new LinkedHashMap<>();
            if (elf.shoff == 0) return out;
            int shnum = elf.shnumField;
            int shstrndx = elf.shstrndxField;
            ByteBuffer s0 = section0(elf.shoff, elf.shentsize);
            if (shnum == 0) shnum = checked(addr(s0, is64 ? 32 : 20), "section count");
            if (shstrndx == SHN_XINDEX) shstrndx = s0.getInt(is64 ? 40 : 24);
            if (shnum == 0) return out;
            ByteBuffer sh = readAt(elf.shoff, checked((long) shnum * elf.shentsize, "section headers"));
            if (shstrndx <= 0 || shstrndx >= shnum) throw bad("e_shstrndx " + shstrndx + " out of range");
            int so = shstrndx * elf.shentsize;
            long strOff = addr(sh, so + (is64 ? 24 : 16));
            long strSize = addr(sh, so + (is64 ? 32 : 20));
            ByteBuffer names = readAt(strOff, checked(strSize, "section name table"));
            for (int i = 1; i < shnum; i++) {
                int o = i * elf.shentsize;
                int nameOff = sh.getInt(o);
                int stype = sh.getInt(o + 4);
                long off = addr(sh, o + (is64 ? 24 : 16));
                long sz = addr(sh, o + (is64 ? 32 : 20));
                long align = addr(sh, o + (is64 ? 48 : 32));
                if (nameOff < 0 || nameOff >= names.limit()) throw bad("section " + i + " name offset out of range");
                String name = cString(names, nameOff);
                out.putIfAbsent(name, new Section(name, stype, off, sz, align));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.limit() && b.get(end) != 0) end++;
        return decode(b, at, end);
    }

    private static String decode(ByteBuffer b, int from, int to) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
