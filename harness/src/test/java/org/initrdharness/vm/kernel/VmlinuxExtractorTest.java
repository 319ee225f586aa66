package org.initrdharness.vm.kernel;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.kmod.DebianKernelPackage;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.KernelEntry;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Unpacking Debian's x86_64 bzImage (xz) and bzImages rebuilt around the same vmlinux with
 * gzip and zstd payloads, the PVH note check, and the cache that remembers both answers.
 */
public class VmlinuxExtractorTest {
    private Path work;
    private Path bzImage;
    private Path vmlinux;

    @BeforeClass
    public void unpackDebianKernel() throws Exception {
        work = Files.createTempDirectory("vmlinux-test-");
        bzImage = DebianKernelPackage.get(Arch.X86_64).vmlinuz();
        vmlinux = work.resolve("debian.vmlinux");
        assertEquals(VmlinuxExtractor.extract(bzImage, vmlinux), PayloadFormat.XZ);
    }

    @AfterClass(alwaysRun = true)
    public void clean() throws IOException {
        if (work == null) return;
        try (var s = Files.walk(work)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void debianBzImageHoldsAnX86ElfWithThePvhNote() throws Exception {
        ElfFile elf = ElfFile.read(vmlinux);
        assertEquals(elf.machine(), ElfFile.EM_X86_64);
        assertTrue(VmlinuxExtractor.hasPvhNote(elf), "Debian's 6.1 kernel is built with CONFIG_PVH");
        assertTrue(Files.size(vmlinux) > 3 * Files.size(bzImage), "vmlinux " + Files.size(vmlinux) + " bytes");
        BzImage h = BzImage.parse(Files.readAllBytes(bzImage)).orElseThrow();
        assertTrue(h.protocol() >= 0x020f, h.protocolVersion());
    }

    @Test
    public void gzipPayloadIsFoundThroughTheHeader() throws Exception {
        Path gz = rebuild("gzip.bzImage", gzip(Files.readAllBytes(vmlinux)), false);
        Path out = work.resolve("from-gzip.vmlinux");
        assertEquals(VmlinuxExtractor.extract(gz, out), PayloadFormat.GZIP);
        assertEquals(Files.mismatch(out, vmlinux), -1L, "the gzip payload unpacks to the same vmlinux");
    }

    @Test
    public void zstdPayloadWithItsSizeTrailerUnpacks() throws Exception {
        Path zst = rebuild("zstd.bzImage", Zstd.compress(Files.readAllBytes(vmlinux), 1), true);
        Path out = work.resolve("from-zstd.vmlinux");
        assertEquals(VmlinuxExtractor.extract(zst, out), PayloadFormat.ZSTD);
        assertEquals(Files.mismatch(out, vmlinux), -1L);
    }

    @Test
    public void payloadIsFoundByItsMagicWhenTheHeaderFieldsAreZero() throws Exception {
        Path gz = rebuild("nofields.bzImage", gzip(Files.readAllBytes(vmlinux)), false);
        byte[] b = Files.readAllBytes(gz);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0x248, 0).putInt(0x24c, 0);
        Files.write(gz, b);
        Path out = work.resolve("scanned.vmlinux");
        assertEquals(VmlinuxExtractor.extract(gz, out), PayloadFormat.GZIP);
        assertEquals(Files.mismatch(out, vmlinux), -1L);
    }

    @Test
    public void elfWithoutThePvhNoteIsRefusedNamingIt() throws Exception {
        Path noNote = rebuild("nonote.bzImage", gzip(Files.readAllBytes(Path.of("/bin/true"))), false);
        VmlinuxExtractor.NoPvhException e = expectThrows(VmlinuxExtractor.NoPvhException.class,
                () -> VmlinuxExtractor.extract(noNote, work.resolve("nonote.vmlinux")));
        assertTrue(e.getMessage().contains("nonote.bzImage") && e.getMessage().contains("no PVH entry"), e.getMessage());
        assertFalse(VmlinuxExtractor.hasPvhNote(ElfFile.read(Path.of("/bin/true"))));
    }

    @Test
    public void otherXenNotesAreNotAPvhEntry() throws Exception {
        // Debian's kernel carries other Xen notes too (XEN_PV's); only type 18 is the PVH entry.
        byte[] b = Files.readAllBytes(vmlinux);
        // namesz 4, descsz 8 (the entry as a .quad in 6.1; 4 in other kernels), type 18, "Xen".
        byte[] note = {4, 0, 0, 0, 8, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 0};
        if (indexOf(b, note) < 0) note[4] = 4;
        int at = indexOf(b, note);
        assertTrue(at > 0, "no PHYS32_ENTRY note found in the vmlinux");
        b[at + 8] = 0x7e;
        assertEquals(indexOf(b, note), -1, "a second PHYS32_ENTRY note");
        Path patched = Files.write(work.resolve("patched.vmlinux"), b);
        assertFalse(VmlinuxExtractor.hasPvhNote(ElfFile.read(patched)));
        VmlinuxExtractor.NoPvhException e = expectThrows(VmlinuxExtractor.NoPvhException.class,
                () -> VmlinuxExtractor.requirePvhNote(patched, "patched.vmlinux"));
        assertTrue(e.getMessage().contains("CONFIG_PVH"), e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    @Test
    public void notABzImageIsRefused() throws Exception {
        Path junk = Files.write(work.resolve("junk"), new byte[4096]);
        VmlinuxExtractor.NoPvhException e = expectThrows(VmlinuxExtractor.NoPvhException.class,
                () -> VmlinuxExtractor.extract(junk, work.resolve("junk.vmlinux")));
        assertTrue(e.getMessage().contains("not a bzImage"), e.getMessage());
    }

    @Test
    public void cacheUnpacksOnceAndRemembersRefusals() throws Exception {
        PvhKernels cache = new PvhKernels(work.resolve("cache"));
        KernelBoot first = cache.choose(Arch.X86_64, bzImage, null);
        assertEquals(first.entry(), KernelEntry.PVH, first.reason());
        assertEquals(first.image(), cache.dir().resolve(PvhKernels.sha256(bzImage) + ".vmlinux"));
        long made = Files.getLastModifiedTime(first.image()).toMillis();
        KernelBoot again = cache.choose(Arch.X86_64, bzImage, KernelEntry.PVH);
        assertEquals(again.image(), first.image());
        assertEquals(Files.getLastModifiedTime(again.image()).toMillis(), made, "unpacked again");

        KernelBoot asked = cache.choose(Arch.X86_64, bzImage, KernelEntry.BZIMAGE);
        assertEquals(asked, new KernelBoot(bzImage, KernelEntry.BZIMAGE, "asked for"));

        Path noNote = rebuild("cache-nonote.bzImage", gzip(Files.readAllBytes(Path.of("/bin/true"))), false);
        KernelBoot fallback = cache.choose(Arch.X86_64, noNote, null);
        assertEquals(fallback.entry(), KernelEntry.BZIMAGE);
        assertEquals(fallback.image(), noNote.toAbsolutePath());
        assertTrue(fallback.reason().startsWith("PVH not possible") && fallback.reason().contains("no PVH entry"), fallback.reason());
        assertTrue(Files.isRegularFile(cache.dir().resolve(PvhKernels.sha256(noNote) + ".no-pvh")));
        try (var s = Files.list(cache.dir())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left");
        }

        KernelBoot direct = cache.choose(Arch.X86_64, vmlinux, null);
        assertEquals(direct.image(), vmlinux);
        assertEquals(direct.entry(), KernelEntry.PVH);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> cache.choose(Arch.X86_64, vmlinux, KernelEntry.BZIMAGE));
        assertTrue(e.getMessage().contains(vmlinux.toString()), e.getMessage());

        KernelBoot arm = cache.choose(Arch.AARCH64, bzImage, KernelEntry.PVH);
        assertEquals(arm.entry(), KernelEntry.BZIMAGE);
        assertTrue(arm.reason().contains("aarch64"), arm.reason());
    }

    @Test
    public void anUnwritableCacheFallsBackToTheBzImageSayingWhy() throws Exception {
        Path notADir = Files.write(work.resolve("not-a-directory"), new byte[1]);
        KernelBoot b = new PvhKernels(notADir.resolve("vmlinux")).choose(Arch.X86_64, bzImage, null);
        assertEquals(b.entry(), KernelEntry.BZIMAGE);
        assertEquals(b.image(), bzImage);
        assertTrue(b.reason().contains("cannot unpack") && b.reason().contains(notADir.toString()), b.reason());
    }

    /** Debian's bzImage with its payload replaced: same setup code, header fields pointing at the new payload. */
    private Path rebuild(String name, byte[] payload, boolean appendSize) throws IOException {
        byte[] original = Files.readAllBytes(bzImage);
        BzImage h = BzImage.parse(original).orElseThrow();
        int gap = 0x200; // room before the payload, as the kernel's own decompressor code would take
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(original, 0, h.setupBytes());
        out.write(new byte[gap]);
        out.write(payload);
        if (appendSize) {
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) Files.size(vmlinux)).array());
        }
        out.write(new byte[64]); // what follows the payload in a real bzImage
        byte[] b = out.toByteArray();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0x248, gap)
                .putInt(0x24c, payload.length + (appendSize ? 4 : 0));
        return Files.write(work.resolve(name), b);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16) {
            { def.setLevel(Deflater.BEST_SPEED); }
        }) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

}
