package org.initrdharness.initrd;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import org.initrdharness.initrd.compress.Lz4LegacyOutputStream;
import org.initrdharness.initrd.compress.ParallelGzipOutputStream;
import org.initrdharness.initrd.compress.ParallelXzOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;

/**
 * How the main archive of an initrd is compressed: a format the kernel's initramfs unpacker
 * decodes, a level and, for zstd, a number of worker threads. Written as {@code zstd},
 * {@code zstd:19}, {@code gzip:9}, {@code xz}, {@code lz4}, {@code none} (see {@link #parse}).
 *
 * @param level the format's level; {@link #DEFAULT_LEVEL} picks the format's initrd default
 * @param threads zstd workers, or gzip, xz and lz4 blocks compressed at once (at least 1; the
 *     output is the same for any count)
 */
public record Compression(Format format, int level, int threads) {
    /** Stands for "the format's default" in {@link #level()}. */
    public static final int DEFAULT_LEVEL = Integer.MIN_VALUE;

    public static final Compression NONE = new Compression(Format.NONE, DEFAULT_LEVEL, 1);

    /** The formats; each name is the one used on the command line and by {@code lsinitrd}. */
    public enum Format {
        NONE(0, 0, 0),
        GZIP(1, 9, 9),
        ZSTD(1, 19, 7),
        XZ(0, 9, 6),
        LZ4(1, 12, 9);

        private final int minLevel;
        private final int maxLevel;
        private final int defaultLevel;

        Format(int minLevel, int maxLevel, int defaultLevel) {
            this.minLevel = minLevel;
            this.maxLevel = maxLevel;
            this.defaultLevel = defaultLevel;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Compression {
        if (format == null) throw new InitrdBuildException("compression format missing");
        if (level != DEFAULT_LEVEL && (level < format.minLevel || level > format.maxLevel)) {
            throw new InitrdBuildException(format.id() + " level " + level + " is out of range; use "
                    + format.minLevel + ".." + format.maxLevel);
        }
        if (threads < 1) throw new InitrdBuildException("compression threads must be at least 1, not " + threads);
    }

    /** zstd at the initrd default, with one worker per processor. */
    public static Compression zstd() {
        return new Compression(Format.ZSTD, DEFAULT_LEVEL, defaultThreads());
    }

    /**
     * Parses {@code FORMAT[:LEVEL]}: {@code none}, {@code gzip[:1-9]}, {@code zstd[:1-19]},
     * {@code xz[:0-9]}, {@code lz4[:1-12]}. zstd, gzip, xz and lz4 use one thread per processor.
     */
    public static Compression parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InitrdBuildException("empty compression; use one of " + choices());
        }
        if (!spec.equals(spec.strip()) || spec.chars().anyMatch(Character::isWhitespace)) {
            // a quoting slip in a script, not a spelling to guess at
            throw new InitrdBuildException("compression '" + spec + "' has white space in it; write it without,"
                    + " as one of " + choices());
        }
        String s = spec.toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        Format format;
        try {
            format = Format.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InitrdBuildException("unknown compression '" + spec + "'; use one of " + choices());
        }
        int level = DEFAULT_LEVEL;
        if (colon >= 0) {
            if (format == Format.NONE) {
                throw new InitrdBuildException("compression 'none' takes no level: '" + spec + "'");
            }
            try {
                level = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InitrdBuildException("compression level in '" + spec + "' is not a number; write "
                        + format.id() + ":" + format.defaultLevel);
            }
        }
        boolean threaded = format != Format.NONE;
        return new Compression(format, level, threaded ? defaultThreads() : 1);
    }

    public Compression withThreads(int threads) {
        return new Compression(format, level, threads);
    }

    /** The level actually used. */
    public int effectiveLevel() {
        return level == DEFAULT_LEVEL ? format.defaultLevel : level;
    }

    /** {@code compress(out, -1)}: the size of what comes is not known. */
    public OutputStream compress(OutputStream out) throws IOException {
        return compress(out, -1);
    }

    /**
     * A stream that compresses what is written into {@code out}; closing it ends the compressed
     * stream and closes {@code out}. {@code expectedBytes} (or -1) lets zstd and xz split their
     * work into pieces of equal size.
     */
    public OutputStream compress(OutputStream out, long expectedBytes) throws IOException {
        switch (format) {
            case NONE:
                return new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }
                };
            case GZIP:
                return new ParallelGzipOutputStream(out, effectiveLevel(), threads);
            case ZSTD:
                return zstd(out, expectedBytes);
            case XZ:
                return xz(out, expectedBytes);
            case LZ4:
                return new Lz4LegacyOutputStream(out, effectiveLevel(), threads);
            default:
                throw new AssertionError(format);
        }
    }

    private OutputStream zstd(OutputStream out, long expectedBytes) throws IOException {
        ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, effectiveLevel());
        z.setWorkers(threads);
        if (level == DEFAULT_LEVEL) {
            // Tuned on a systemd initrd (see the README's performance table): level 7 with an
            // 8 MiB window, wider match tables and 4-byte matches is smaller than `zstd -15`
            // (dracut's choice) for about a seventh of its CPU time. The window stays small
            // enough for the kernel's streaming decoder to allocate early in boot.
            z.setWindowLog(23);
            z.setHashLog(22);
            z.setChainLog(21);
            z.setMinMatch(4);
        }
        int jobSize = zstdJobSize(expectedBytes);
        if (jobSize > 0) z.setJobSize(jobSize);
        return z;
    }

    /**
     * Equal jobs, an even number of them and at most 32 MiB each, so two workers finish
     * together. The size depends on the input only, never on the worker count: the output is
     * the same on every machine. 0 (zstd's own choice) when the size is unknown.
     */
    static int zstdJobSize(long expectedBytes) {
        return expectedBytes <= 0 ? 0 : evenSplit(expectedBytes, 32L << 20);
    }

    /** Pieces of equal size in whole MiB (at least one), an even number of them, none over {@code max}. */
    static int evenSplit(long bytes, long max) {
        long pieces = Math.max(2, (bytes + max - 1) / max);
        if (pieces % 2 == 1) pieces++;
        long size = (bytes + pieces - 1) / pieces;
        return (int) Math.max(1 << 20, (size + 0xFFFFF) & ~0xFFFFFL);
    }

    private OutputStream xz(OutputStream out, long expectedBytes) throws IOException {
        LZMA2Options options;
        try {
            options = new LZMA2Options(effectiveLevel());
        } catch (UnsupportedOptionsException e) {
            throw new InitrdBuildException("xz level " + level + ": " + e.getMessage(), e);
        }
        // Independent blocks of up to three dictionaries each (as xz -T0 cuts them), compressed
        // in parallel; the check is CRC32, the kernel's decoder refuses the library's CRC64.
        long maxBlock = 3L * options.getDictSize();
        int blockSize = expectedBytes > 0 ? evenSplit(expectedBytes, maxBlock) : (int) maxBlock;
        return new ParallelXzOutputStream(out, options, blockSize, threads);
    }

    /**
     * Loads the compressor (zstd-jni unpacks and links a native library) by compressing a few
     * bytes, so a build can do it on another thread while it plans.
     */
    public void warmUp() throws IOException {
        try (OutputStream o = compress(OutputStream.nullOutputStream(), 1)) {
            o.write(new byte[64]);
        }
    }

    /** Worker threads when none are asked for: one per processor. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    private static String choices() {
        return "none, gzip[:1-9], zstd[:1-19], xz[:0-9], lz4[:1-12]";
    }

    /** The spec this compression parses from, e.g. {@code zstd:19}. */
    @Override
    public String toString() {
        return level == DEFAULT_LEVEL ? format.id() : format.id() + ":" + level;
    }
}
