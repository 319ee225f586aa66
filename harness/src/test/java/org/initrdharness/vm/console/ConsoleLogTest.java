package org.initrdharness.vm.console;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

public class ConsoleLogTest {

    @Test
    public void linesAndInputWithTheirTimes() throws IOException {
        Path file = Files.createTempDirectory("console-log").resolve("console.log");
        ConsoleLog log = new ConsoleLog(file);
        log.lines(List.of(new LineEvent.Completed(new ConsoleLine(1, 1.5, "hello")),
                new LineEvent.SplitOff(new ConsoleLine(3, 2.25, "[    2.250000] kernel"), 2, 4)));
        assertEquals(Files.readString(file), "[    1.500] hello\n[    2.250] [    2.250000] kernel\n", "flushed at once");
        log.input(3, "ls\r\n");
        log.close();
        log.close();
        log.input(4, "after close");
        assertEquals(Files.readString(file),
                "[    1.500] hello\n[    2.250] [    2.250000] kernel\n[    3.000] >>> ls\\r\\n\n");
    }

    @Test
    public void noFileNoLog() throws IOException {
        ConsoleLog log = new ConsoleLog(null);
        log.input(1, "x");
        log.close();
    }
}
