package org.initrdharness.vm.kernel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.elf.ElfNote;

/**
 * Unpacks the vmlinux inside an x86 bzImage and checks that QEMU can enter it through PVH: an
 * x86_64 ELF carrying the Xen note XEN_ELFNOTE_PHYS32_ENTRY. Pure file work, no cache: see
 * {@link PvhKernels}.
 */
public final class VmlinuxExtractor {

    /** n_type of XEN_ELFNOTE_PHYS32_ENTRY, the 32-bit PVH entry point QEMU looks for. */
    public static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;

    /** How many magic-number candidates a scan tries when the header does not say where the payload is. */
    private static final int SCAN_TRIES = 8;

    private VmlinuxExtractor() {}

    /** Why a bzImage gives no PVH-capable vmlinux; the message says which file and what was found. */
    public static final class NoPvhException extends Exception {
        public NoPvhException(String message) {
            super(message);
        }
    }

    /**
     * Writes {@code bzImage}'s vmlinux to {@code out} (which must not exist yet) and returns the
     * payload's format.
     *
     * @throws NoPvhException when it is no bzImage, its payload cannot be unpacked here, or the
     *                        result is not an x86_64 ELF with the PVH note; {@code out} may then
     *                        hold what was unpacked
     */
    public static PayloadFormat extract(Path bzImage, Path out) throws IOException, NoPvhException {
        byte[] image = Files.readAllBytes(bzImage);
        BzImage header = BzImage.parse(image).orElseThrow(() -> new NoPvhException(bzImage
                + " is not a bzImage (no \"HdrS\" setup header)"));
        List<String> tried = new ArrayList<>();
        for (Candidate c : candidates(image, header)) {
            if (c.format() == PayloadFormat.LZO) {
                throw new NoPvhException(bzImage + ": its payload is LZO-compressed, which the harness cannot unpack");
            }
            try {
                long written = unpack(image, c, out);
                if (c.format().sizeAppended() && c.bounded() && c.length() >= 4) {
                    long expected = Integer.toUnsignedLong(ByteBuffer.wrap(image, (int) (c.offset() + c.length() - 4), 4)
                            .order(ByteOrder.LITTLE_ENDIAN).getInt());
                    if (expected != written) {
                        throw new IOException("unpacked " + written + " bytes, the kernel build recorded " + expected);
                    }
                }
                requirePvhNote(out, bzImage + "'s " + c.format() + " payload");
                return c.format();
            } catch (IOException | RuntimeException e) {
                tried.add(c.format() + " at offset " + c.offset() + ": " + e.getMessage());
                Files.deleteIfExists(out);
            }
        }
        throw new NoPvhException(bzImage + " (boot protocol " + header.protocolVersion() + "): no payload unpacked to an ELF"
                + (tried.isEmpty() ? " (no known compression magic after the setup header)" : ": " + String.join("; ", tried)));
    }

    /**
     * Refuses {@code file} unless it is an x86_64 ELF with a PVH entry note.
     *
     * @param what how messages name it
     */
    public static void requirePvhNote(Path file, String what) throws IOException, NoPvhException {
        Optional<ElfFile> elf = ElfFile.readIfElf(file);
        if (elf.isEmpty()) throw new NoPvhException(what + " is not an ELF file");
        if (elf.get().machine() != ElfFile.EM_X86_64) {
            throw new NoPvhException(what + " is an ELF for machine " + elf.get().machine() + ", not x86_64");
        }
        if (!hasPvhNote(elf.get())) {
            throw new NoPvhException(what + " has no PVH entry (no Xen note of type " + XEN_ELFNOTE_PHYS32_ENTRY
                    + " in .notes): the kernel was built without CONFIG_PVH");
        }
    }

    /** True when the ELF's .notes section has XEN_ELFNOTE_PHYS32_ENTRY. */
    public static boolean hasPvhNote(ElfFile elf) throws IOException {
        for (ElfNote n : elf.notes(".notes")) {
            if (n.owner().equals("Xen") && n.type() == XEN_ELFNOTE_PHYS32_ENTRY) return true;
        }
        return false;
    }

    /** A payload to try; {@code bounded} when the header gave its length (and so where its size trailer is). */
    record Candidate(PayloadFormat format, long offset, long length, boolean bounded) {}

    /** The header's payload first; without it, known magics after the setup code, in file order. */
    static List<Candidate> candidates(byte[] image, BzImage header) {
        List<Candidate> out = new ArrayList<>();
        if (header.payloadOffset() >= 0) {
            PayloadFormat.at(image, (int) header.payloadOffset())
                    .ifPresent(f -> out.add(new Candidate(f, header.payloadOffset(), header.payloadLength(), true)));
            if (!out.isEmpty()) return out;
        }
        for (int i = header.setupBytes(); i < image.length && out.size() < SCAN_TRIES; i++) {
            final int at = i;
            // LZMA's 3-byte magic is too weak to find by scanning; the header names its payload.
            PayloadFormat.at(image, at).filter(f -> f != PayloadFormat.LZMA)
                    .ifPresent(f -> out.add(new Candidate(f, at, image.length - at, false)));
        }
        return out;
    }

    private static long unpack(byte[] image, Candidate c, Path out) throws IOException {
        int length = (int) (c.format().sizeAppended() && c.bounded() && c.length() >= 4 ? c.length() - 4 : c.length());
        try (InputStream in = c.format().open(new ByteArrayInputStream(image, (int) c.offset(), length));
                OutputStream o = Files.newOutputStream(out)) {
            return in.transferTo(o);
        }
    }
}
