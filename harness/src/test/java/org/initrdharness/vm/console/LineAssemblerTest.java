package org.initrdharness.vm.console;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** Bytes in, line events out: no threads, no clock. */
public class LineAssemblerTest {
    private Secrets secrets;
    private LineAssembler assembler;

    @BeforeMethod
    public void fresh() {
        secrets = new Secrets();
        assembler = new LineAssembler(secrets);
    }

    private List<LineEvent> accept(String text, double now) {
        return accept(text.getBytes(StandardCharsets.UTF_8), now);
    }

    private List<LineEvent> accept(byte[] bytes, double now) {
        return assembler.accept(ByteBuffer.wrap(bytes), now);
    }

    private static List<String> texts(List<LineEvent> events) {
        return events.stream().map(e -> e.line().text()).toList();
    }

    @Test
    public void lineKeepsThePartialLinesIdAndTheTimeOfItsFirstCharacter() {
        assertEquals(accept("hel", 1.0), List.of());
        ConsoleLine partial = assembler.partial();
        assertEquals(partial.text(), "hel");
        assertEquals(partial.seconds(), 1.0);
        List<LineEvent> events = accept("lo\nwor", 2.0);
        assertEquals(events, List.of(new LineEvent.Completed(new ConsoleLine(partial.id(), 1.0, "hello"))));
        assertTrue(assembler.partial().id() != partial.id());
        assertEquals(assembler.partial().text(), "wor");
        assertEquals(assembler.partial().seconds(), 2.0);
    }

    @Test
    public void characterSplitAcrossChunksIsDecodedWhole() {
        byte[] bytes = "café ünd\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(accept(Arrays.copyOfRange(bytes, 0, 4), 1), List.of());
        assertEquals(assembler.partial().text(), "caf");
        assertEquals(texts(accept(Arrays.copyOfRange(bytes, 4, bytes.length), 1)), List.of("café ünd"));
    }

    @Test
    public void escapesCarriageReturnsAndBackspacesAreRemoved() {
        List<LineEvent> events = accept("\u001B[0;32m  OK  \u001B[0m] Reached \u001B[1mtarget\u001B[0m.\r\r\nab\bc\n", 1);
        assertEquals(texts(events), List.of("  OK  ] Reached target.", "ac"));
    }

    @Test
    public void kernelMessageThatCutIntoALineIsSplitOff() {
        accept("Please enter pass", 1);
        long id = assembler.partial().id();
        List<LineEvent> events = accept("[    3.141592] random: crng init done\r\n", 2);
        assertEquals(events, List.of(new LineEvent.SplitOff(
                new ConsoleLine(id + 1, 2, "[    3.141592] random: crng init done"), id, 17)));
        assertEquals(assembler.partial(), new ConsoleLine(id, 1, "Please enter pass"));
        assertEquals(accept("phrase:\n", 3), List.of(new LineEvent.Completed(new ConsoleLine(id, 1, "Please enter passphrase:"))));
    }

    @Test
    public void kernelMessageAtTheStartOfALineStaysWhole() {
        assertEquals(texts(accept("  [    1.000000] a\n[    2.000000] b\n", 1)), List.of("  [    1.000000] a", "[    2.000000] b"));
    }

    @Test
    public void endlessLineIsCutAtMaxLine() {
        List<LineEvent> events = accept("x".repeat(Console.MAX_LINE * 2 + 5), 1);
        assertEquals(events.size(), 2);
        assertTrue(events.stream().allMatch(e -> e.line().text().length() == Console.MAX_LINE));
        assertEquals(assembler.partial().text().length(), 5);
    }

    @Test
    public void secretsAreRedactedInLinesAndInThePartialLine() {
        secrets.add("hunter2");
        assertEquals(texts(accept("hunter2\r\nwrong hunter2", 1)), List.of("<secret>"));
        assertEquals(assembler.partial().text(), "wrong <secret>");
    }

    @Test
    public void finishCompletesThePartialLine() {
        accept("reboot: Power down\nlast", 1);
        assertEquals(texts(assembler.finish(2)), List.of("last"));
        assertEquals(assembler.partial().text(), "");
        assertEquals(assembler.finish(3), List.of());
    }
}
