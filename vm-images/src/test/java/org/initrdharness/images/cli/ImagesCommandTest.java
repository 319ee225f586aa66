package org.initrdharness.images.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.initrdharness.cli.Main;
import org.initrdharness.images.VmImages;
import org.testng.annotations.Test;

/** {@code initrd-harness images}, through the real command line (the sub-command comes from META-INF/services). */
public class ImagesCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int exit = Main.commandLine().execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    public void unsupportedArchIsAClearErrorNotAStackTrace() {
        Run r = run("images", "--arch", "sparc64", "--quiet");
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains("unsupported arch 'sparc64'") && r.err().contains("x86_64"), r.err());
    }

    @Test
    public void jsonHasOneObjectPerArchWithTheAgreedKeys() throws Exception {
        Run r = run("images", "--arch", "x86_64", "--arch", "aarch64", "--cache", VmImages.defaultCache().toString(),
                "--json", "--quiet");
        assertEquals(r.exit(), 0, r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(lines.size(), 2, r.out());
        for (String line : lines) {
            JsonNode j = new ObjectMapper().readTree(line);
            for (String k : List.of("arch", "kernel", "modules", "sysroot", "rootDisk", "luksDisk", "luksPassphrase",
                    "luksKeyfile", "luksUuid", "manifest")) {
                assertTrue(j.hasNonNull(k), k + " missing in " + line);
            }
        }
        assertEquals(new ObjectMapper().readTree(lines.get(1)).path("arch").asText(), "aarch64");
    }
}
