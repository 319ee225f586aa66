package org.initrdharness.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.initrd.InitrdBuildException;

/** Checks of a file a command is about to write, made before any work starts. */
public final class OutputPaths {
    private OutputPaths() {}

    /**
     * A file name in a directory that exists: not empty (which is the working directory), not a
     * directory (the rename would fail after the whole build, or replace it).
     */
    public static void checkOutput(String option, Path output) {
        if (output == null || output.toString().isEmpty()) {
            throw new InitrdBuildException(option + " is empty; give the file to write");
        }
        if (Files.isDirectory(output)) {
            throw new InitrdBuildException(option + " " + output + " is a directory; give a file name in it,"
                    + " such as " + output.resolve("initrd.img"));
        }
        Path dir = output.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new InitrdBuildException(option + " " + output + ": the directory " + dir
                    + " does not exist; create it first");
        }
    }
}
