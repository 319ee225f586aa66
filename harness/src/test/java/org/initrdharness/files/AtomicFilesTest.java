package org.initrdharness.files;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.testng.annotations.Test;

public class AtomicFilesTest {

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    public void aWriteReplacesTheFileAndCreatesItsDirectory() throws IOException {
        Path dir = Files.createTempDirectory("atomic");
        Path file = dir.resolve("sub/list.json");
        AtomicFiles.write(file, "old");
        AtomicFiles.write(file, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Files.readString(file), "new");
        assertEquals(names(file.getParent()), List.of("list.json"));
    }

    @Test
    public void aFailedStreamingWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path dir = Files.createTempDirectory("atomic");
        Path file = dir.resolve("list.json");
        AtomicFiles.write(file, "old");
        IOException e = expectThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw new IOException("disk full");
        }));
        assertEquals(e.getMessage(), "disk full");
        assertEquals(Files.readString(file), "old");
        assertEquals(names(dir), List.of("list.json"));
    }

    @Test
    public void aFailedWriteByNameLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path dir = Files.createTempDirectory("atomic");
        Path file = dir.resolve("screen.png");
        AtomicFiles.write(file, "old");
        assertThrows(IOException.class, () -> AtomicFiles.writeTo(file, tmp -> {
            assertFalse(Files.exists(tmp), "the fill creates the file");
            Files.writeString(tmp, "half");
            throw new IOException("QEMU went away");
        }));
        assertEquals(Files.readString(file), "old");
        assertEquals(names(dir), List.of("screen.png"));
        AtomicFiles.writeTo(file, tmp -> Files.writeString(tmp, "new"));
        assertEquals(Files.readString(file), "new");
        assertEquals(names(dir), List.of("screen.png"));
    }

    @Test
    public void aFailedFirstWriteLeavesNothing() throws IOException {
        Path dir = Files.createTempDirectory("atomic");
        Path file = dir.resolve("stamps");
        assertThrows(RuntimeException.class, () -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IllegalStateException("bug");
        }));
        assertEquals(names(dir), List.of());
    }
}
