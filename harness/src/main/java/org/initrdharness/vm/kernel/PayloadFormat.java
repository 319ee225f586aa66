package org.initrdharness.vm.kernel;

import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.initrdharness.initrd.compress.Lz4LegacyInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.SingleXZInputStream;

/**
 * The compressions a kernel build may wrap vmlinux in (CONFIG_KERNEL_*), recognised by their
 * magic. Every one but gzip has its decompressed size appended in 4 bytes after the stream.
 */
public enum PayloadFormat {
    GZIP(new byte[] {0x1f, (byte) 0x8b, 0x08}, false),
    XZ(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0x00}, true),
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, true),
    LZMA(new byte[] {0x5d, 0x00, 0x00}, true),
    LZ4(new byte[] {0x02, 0x21, 0x4c, 0x18}, true),
    BZIP2(new byte[] {'B', 'Z', 'h'}, true),
    LZO(new byte[] {(byte) 0x89, 'L', 'Z', 'O', 0x00}, true);

    private final byte[] magic;
    private final boolean sizeAppended;

    PayloadFormat(byte[] magic, boolean sizeAppended) {
        this.magic = magic;
        this.sizeAppended = sizeAppended;
    }

    /** True when the kernel build appended the decompressed size (4 bytes, little endian) after the stream. */
    public boolean sizeAppended() {
        return sizeAppended;
    }

    /** The format whose magic starts at {@code at}. */
    public static Optional<PayloadFormat> at(byte[] data, int at) {
        for (PayloadFormat f : values()) {
            if (f.matches(data, at)) return Optional.of(f);
        }
        return Optional.empty();
    }

    boolean matches(byte[] data, int at) {
        if (at < 0 || at + magic.length > data.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if (data[at + i] != magic[i]) return false;
        }
        return true;
    }

    /**
     * The decompressed stream. Throws {@link UnsupportedOperationException} for LZO, which no
     * library here reads.
     */
    public InputStream open(InputStream compressed) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPInputStream(compressed, 1 << 16);
            case XZ -> new SingleXZInputStream(compressed);
            // The kernel's zstd payload may use a window of up to 2^27 bytes (zstd -22 --ultra).
            case ZSTD -> new ZstdInputStream(compressed).setLongMax(31);
            case LZMA -> new LZMAInputStream(compressed);
            case LZ4 -> new Lz4LegacyInputStream(compressed);
            case BZIP2 -> new BZip2CompressorInputStream(compressed);
            case LZO -> throw new UnsupportedOperationException("LZO-compressed kernels cannot be unpacked here");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase();
    }
}
