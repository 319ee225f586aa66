package org.initrdharness.vm.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The parts of an x86 bzImage's setup header (Documentation/x86/boot.rst) that locate its
 * compressed kernel: the payload starts after the real-mode setup sectors.
 *
 * @param protocol      boot protocol version, e.g. 0x020f
 * @param setupBytes    bytes before the protected-mode code: (setup_sects + 1) * 512
 * @param payloadOffset the payload's offset in the file, or -1 before protocol 2.08
 * @param payloadLength the payload's length, or -1 before protocol 2.08
 */
public record BzImage(int protocol, int setupBytes, long payloadOffset, long payloadLength) {

    private static final int HDRS = 0x53726448; // "HdrS"

    /** The header of {@code image}, or empty when it is no bzImage (no "HdrS" signature). */
    public static Optional<BzImage> parse(byte[] image) {
        if (image.length < 0x250) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0x202) != HDRS || (b.getShort(0x1fe) & 0xffff) != 0xaa55) return Optional.empty();
        int protocol = b.getShort(0x206) & 0xffff;
        int sects = image[0x1f1] & 0xff;
        int setup = ((sects == 0 ? 4 : sects) + 1) * 512;
        if (setup >= image.length) return Optional.empty();
        long offset = -1;
        long length = -1;
        if (protocol >= 0x0208) {
            offset = setup + Integer.toUnsignedLong(b.getInt(0x248));
            length = Integer.toUnsignedLong(b.getInt(0x24c));
            if (offset + length > image.length) {
                offset = -1;
                length = -1;
            }
        }
        return Optional.of(new BzImage(protocol, setup, offset, length));
    }

    /** "2.15": the protocol as the boot documentation writes it. */
    public String protocolVersion() {
        return (protocol >> 8) + "." + String.format("%02d", protocol & 0xff);
    }
}
