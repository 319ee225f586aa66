package org.initrdharness.initrd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One entry read back from an initrd. Hard links that newc stores without data (all but the
 * last link) carry the group's data here, so every link reads as the file it is.
 *
 * @param archive which archive of the file (0 = first; early archives come before the main one)
 * @param path absolute path inside the initrd ("/" for the archive's ".")
 * @param mode file type and permission bits, as in {@code st_mode}
 * @param size bytes of content (the link target's length for a symlink)
 * @param linkTarget the target of a symlink, else null
 */
public record InitrdEntry(int archive, String path, int mode, long size, int nlink, long mtime, int uid, int gid,
                          long inode, int rdevMajor, int rdevMinor, String linkTarget, byte[] data) {

    public boolean isDirectory() {
        return (mode & 0170000) == CpioWriter.S_IFDIR;
    }

    public boolean isRegularFile() {
        return (mode & 0170000) == CpioWriter.S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & 0170000) == CpioWriter.S_IFLNK;
    }

    public boolean isDevice() {
        int t = mode & 0170000;
        return t == CpioWriter.S_IFCHR || t == CpioWriter.S_IFBLK;
    }

    /** The content as text (UTF-8). */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The file-type letter of {@code ls -l}: d, -, l, c, b, p, s. */
    public char typeLetter() {
        switch (mode & 0170000) {
            case 0040000: return 'd';
            case 0100000: return '-';
            case 0120000: return 'l';
            case 0020000: return 'c';
            case 0060000: return 'b';
            case 0010000: return 'p';
            case 0140000: return 's';
            default: return '?';
        }
    }

    /** The mode as {@code ls -l} shows it, e.g. {@code -rwxr-xr-x}. */
    public String modeString() {
        StringBuilder s = new StringBuilder(10).append(typeLetter());
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
        }
        if ((mode & 04000) != 0) s.setCharAt(3, s.charAt(3) == 'x' ? 's' : 'S');
        if ((mode & 02000) != 0) s.setCharAt(6, s.charAt(6) == 'x' ? 's' : 'S');
        if ((mode & 01000) != 0) s.setCharAt(9, s.charAt(9) == 'x' ? 't' : 'T');
        return s.toString();
    }

    /** The entry as {@code list-initrd} prints it: mode, links, size (or device numbers), path, link target. */
    public String listLine() {
        String size = isDevice() ? rdevMajor + ", " + rdevMinor : Long.toString(size());
        String name = path.equals("/") ? "." : path.substring(1);
        return String.format("%s %3d %10s %s%s", modeString(), nlink, size, name,
                isSymlink() ? " -> " + linkTarget : "");
    }

    /** SHA-256 of the content, in hex. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
