package org.initrdharness.initrd.compress;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.testng.annotations.Test;

public class GzipMembersInputStreamTest {
    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    /** A member with a file name in its header, as `gzip file` writes it. */
    private static byte[] gzipNamed(String text, String name) throws IOException {
        byte[] plain = gzip(text);
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(plain, 0, 10);
        b.write(n);
        b.write(plain, 10, plain.length - 10);
        byte[] out = b.toByteArray();
        out[3] = 8; // FNAME
        return out;
    }

    private static String read(byte[]... parts) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) all.write(p);
        try (GzipMembersInputStream in = new GzipMembersInputStream(new ByteArrayInputStream(all.toByteArray()))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void membersFollowEachOtherWithNulPaddingBetweenAndAfter() throws IOException {
        assertEquals(read(gzip("one ")), "one ");
        assertEquals(read(gzip("one "), new byte[7], gzipNamed("two", "initrd.cpio"), new byte[512]), "one two");
    }

    @Test
    public void dataAfterTheStreamIsAnErrorNamingItsByte() throws IOException {
        byte[] member = gzip("one");
        IOException e = expectThrows(IOException.class,
                () -> read(member, new byte[3], "junk".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains("byte " + (member.length + 3) + " of the gzip data (0x6a)"), e.getMessage());
    }

    @Test
    public void aCutOrDamagedMemberIsAnError() throws IOException {
        byte[] member = gzip("some text to compress, some text to compress");
        for (int cut = 1; cut < member.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(member, cut);
            expectThrows(IOException.class, () -> read(part));
        }
        byte[] bad = member.clone();
        bad[bad.length - 5] ^= 1; // the CRC32
        IOException e = expectThrows(IOException.class, () -> read(bad));
        assertTrue(e.getMessage().contains("fails its CRC32"), e.getMessage());
        expectThrows(EOFException.class, () -> read(java.util.Arrays.copyOf(member, member.length - 1)));
    }
}
