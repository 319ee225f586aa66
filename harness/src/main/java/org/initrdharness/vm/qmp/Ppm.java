package org.initrdharness.vm.qmp;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the binary PPM (P6) that older QEMUs' screendump writes. */
final class Ppm {
    private Ppm() {}

    static BufferedImage read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int[] pos = {0};
        String magic = token(b, pos);
        if (!magic.equals("P6")) throw new IOException(file + " is not a binary PPM (magic '" + magic + "')");
        int w = Integer.parseInt(token(b, pos));
        int h = Integer.parseInt(token(b, pos));
        int max = Integer.parseInt(token(b, pos));
        if (max != 255) throw new IOException(file + ": PPM with maxval " + max + " is not supported");
        int p = pos[0] + 1; // one whitespace byte after maxval
        if (b.length < p + 3L * w * h) throw new IOException(file + " is truncated");
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++, p += 3) {
                img.setRGB(x, y, (b[p] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff));
            }
        }
        return img;
    }

    private static String token(byte[] b, int[] pos) {
        int i = pos[0];
        while (true) {
            while (i < b.length && Character.isWhitespace(b[i])) i++;
            if (i < b.length && b[i] == '#') {
                while (i < b.length && b[i] != '\n') i++;
            } else {
                break;
            }
        }
        int start = i;
        while (i < b.length && !Character.isWhitespace(b[i])) i++;
        pos[0] = i;
        return new String(b, start, i - start, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
