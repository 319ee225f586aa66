package org.initrdharness.initrd.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes minimal dynamic ELF files of any class, byte order and machine: a header, PT_LOAD,
 * PT_INTERP and PT_DYNAMIC, for cases the host compiler cannot produce (big-endian, foreign
 * machines). Nothing is executable; the headers are what the reader and the closure look at.
 */
public final class SyntheticElf {
    private boolean is64 = true;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int machine = ElfFile.EM_X86_64;
    private int type = ElfFile.ET_DYN;
    private String interp;
    private final List<String> needed = new ArrayList<>();
    private String rpath;
    private String runpath;
    private String soname;

    public static SyntheticElf of(boolean is64, ByteOrder order, int machine) {
        SyntheticElf e = new SyntheticElf();
        e.is64 = is64;
        e.order = order;
        e.machine = machine;
        return e;
    }

    public SyntheticElf type(int t) { type = t; return this; }
    public SyntheticElf interp(String s) { interp = s; return this; }
    public SyntheticElf needed(String... names) { needed.addAll(List.of(names)); return this; }
    public SyntheticElf rpath(String s) { rpath = s; return this; }
    public SyntheticElf runpath(String s) { runpath = s; return this; }
    public SyntheticElf soname(String s) { soname = s; return this; }

    public byte[] bytes() {
        int ehsize = is64 ? 64 : 52;
        int phentsize = is64 ? 56 : 32;
        int phnum = interp != null ? 3 : 2;
        int interpOff = ehsize + phnum * phentsize;
        byte[] interpBytes = interp == null ? new byte[0] : (interp + "\0").getBytes(StandardCharsets.UTF_8);

        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        List<long[]> dyn = new ArrayList<>();
        for (String n : needed) dyn.add(new long[] {1, addString(strtab, n)});
        if (rpath != null) dyn.add(new long[] {15, addString(strtab, rpath)});
        if (runpath != null) dyn.add(new long[] {29, addString(strtab, runpath)});
        if (soname != null) dyn.add(new long[] {14, addString(strtab, soname)});
        int strOff = align(interpOff + interpBytes.length, 8);
        byte[] str = strtab.toByteArray();
        int dynOff = align(strOff + str.length, 8);
        long vbase = 0x400000;
        dyn.add(new long[] {5, vbase + strOff});
        dyn.add(new long[] {10, str.length});
        dyn.add(new long[] {0, 0});
        int dynEnt = is64 ? 16 : 8;
        int total = dynOff + dyn.size() * dynEnt;

        ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1, 0});
        b.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, 1);
        if (is64) {
            b.putLong(32, ehsize).putLong(40, 0).putShort(52, (short) ehsize).putShort(54, (short) phentsize)
                    .putShort(56, (short) phnum).putShort(58, (short) 64);
        } else {
            b.putInt(28, ehsize).putInt(32, 0).putShort(40, (short) ehsize).putShort(42, (short) phentsize)
                    .putShort(44, (short) phnum).putShort(46, (short) 40);
        }
        int ph = ehsize;
        phdr(b, ph, 1, 0, vbase, total);
        ph += phentsize;
        if (interp != null) {
            phdr(b, ph, 3, interpOff, vbase + interpOff, interpBytes.length);
            ph += phentsize;
        }
        phdr(b, ph, 2, dynOff, vbase + dynOff, (long) dyn.size() * dynEnt);
        b.put(interpOff, interpBytes);
        b.put(strOff, str);
        int o = dynOff;
        for (long[] d : dyn) {
            if (is64) {
                b.putLong(o, d[0]).putLong(o + 8, d[1]);
            } else {
                b.putInt(o, (int) d[0]).putInt(o + 4, (int) d[1]);
            }
            o += dynEnt;
        }
        return b.array();
    }

    private void phdr(ByteBuffer b, int at, int ptype, long off, long vaddr, long size) {
        b.putInt(at, ptype);
        if (is64) {
            b.putLong(at + 8, off).putLong(at + 16, vaddr).putLong(at + 24, vaddr).putLong(at + 32, size).putLong(at + 40, size);
        } else {
            b.putInt(at + 4, (int) off).putInt(at + 8, (int) vaddr).putInt(at + 12, (int) vaddr)
                    .putInt(at + 16, (int) size).putInt(at + 20, (int) size);
        }
    }

    private static long addString(ByteArrayOutputStream strtab, String s) {
        long off = strtab.size();
        strtab.writeBytes((s + "\0").getBytes(StandardCharsets.UTF_8));
        return off;
    }

    private static int align(int v, int a) {
        return (v + a - 1) / a * a;
    }
}
