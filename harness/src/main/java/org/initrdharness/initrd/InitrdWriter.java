package org.initrdharness.initrd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.initrdharness.files.AtomicFiles;

/**
 * Writes an initrd file: the uncompressed early archives to prepend (CPU microcode), then the
 * plan as one compressed newc archive. The file appears complete or not at all: it is written
 * to a temporary file beside the output and renamed over it.
 */
public final class InitrdWriter {
    private InitrdWriter() {}

    /** What was written. */
    public record Result(Path output, int entries, int hardLinks, long archiveBytes, long prependedBytes,
                         long fileBytes, Duration time) {}

    /** {@link #write(InitrdPlan, Compression, List, Path, CpioWriter)} with a reproducible writer. */
    public static Result write(InitrdPlan plan, Compression compression, List<Path> prepend, Path output)
            throws IOException {
        return write(plan, compression, prepend, output, CpioWriter.reproducible());
    }

    /**
     * Writes {@code prepend} (each an uncompressed newc archive, copied as is and padded to four
     * bytes), then {@code plan} compressed with {@code compression}, to {@code output}.
     *
     * @throws InitrdBuildException a prepended file that is not a newc archive, or a bad source;
     *     no output file is left behind then
     */
    public static Result write(InitrdPlan plan, Compression compression, List<Path> prepend, Path output,
                               CpioWriter writer) throws IOException {
        long start = System.nanoTime();
        for (Path p : prepend) checkEarlyArchive(p);
        Path abs = output.toAbsolutePath();
        Path dir = abs.getParent();
        if (!Files.isDirectory(dir)) {
            throw new InitrdBuildException("output directory " + dir + " does not exist; create it first");
        }
        long[] prepended = {0};
        CpioWriter.Stats[] stats = new CpioWriter.Stats[1];
        AtomicFiles.writeTo(abs, tmp -> {
            try (OutputStream file = Files.newOutputStream(tmp)) {
                for (Path p : prepend) {
                    long n = Files.copy(p, file);
                    int pad = (int) (-n & 3);
                    file.write(new byte[pad]);
                    prepended[0] += n + pad;
                }
                CpioWriter.Layout layout = writer.layOut(plan);
                // Closed on failure too, so compressor threads end; the temporary file goes anyway.
                try (OutputStream compressed = compression.compress(new Unclosable(file), layout.archiveBytes())) {
                    stats[0] = writer.write(layout, compressed);
                }
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        });
        return new Result(abs, stats[0].entries(), stats[0].hardLinks(), stats[0].archiveBytes(), prepended[0],
                Files.size(abs), Duration.ofNanos(System.nanoTime() - start));
    }

    private static void checkEarlyArchive(Path p) throws IOException {
        byte[] magic;
        try (InputStream in = Files.newInputStream(p)) {
            magic = in.readNBytes(6);
        } catch (NoSuchFileException e) {
            throw new InitrdBuildException("--prepend " + p + " does not exist");
        }
        if (!Arrays.equals(magic, "070701".getBytes(StandardCharsets.US_ASCII))) {
            throw new InitrdBuildException("--prepend " + p + " is not an uncompressed newc archive (magic 070701);"
                    + " early archives such as microcode must not be compressed");
        }
    }

    /** Lets the compressor finish its stream without closing the file under it. */
    private static final class Unclosable extends java.io.FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
