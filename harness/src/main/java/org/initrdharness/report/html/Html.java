package org.initrdharness.report.html;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Text made safe for HTML and SVG: console logs carry any bytes (escape sequences, NULs, stray
 * control characters), so every character that is not plain printable text is shown, not passed.
 */
public final class Html {
    private Html() {}

    /** {@code s} as element text or an attribute value: markup escaped, control characters shown as {@code \xNN}. */
    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '\t' -> b.append(c);
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        b.append('\ufffd'); // a lone surrogate is no character at all
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** A link from a page in {@code from} to {@code target}: relative when it is inside {@code root}, else a file URL. */
    public static String href(Path from, Path target, Path root) {
        Path t = target.toAbsolutePath().normalize();
        Path f = from.toAbsolutePath().normalize();
        if (t.startsWith(root.toAbsolutePath().normalize())) {
            StringBuilder rel = new StringBuilder();
            for (Path part : f.relativize(t)) {
                if (rel.length() > 0) rel.append('/');
                rel.append(encode(part.toString()));
            }
            return rel.toString();
        }
        return t.toUri().toString();
    }

    /** One path segment for a URL: what is not unreserved is percent-encoded (UTF-8). */
    static String encode(String segment) {
        StringBuilder b = new StringBuilder();
        for (byte x : segment.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append(String.format(Locale.ROOT, "%%%02X", c));
            }
        }
        return b.toString();
    }

    /** Seconds as the pages show them. */
    public static String secs(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f s", v);
    }

    /** The start of a page: its title and the report's one style sheet, inline so a copied directory is complete. */
    public static String head(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width\"><title>" + esc(title) + "</title><style>" + CSS
                + "</style></head><body>\n";
    }

    public static final String TAIL = "</body></html>\n";

    /** System fonts only: nothing is fetched. */
    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 9px;text-align:left}
            th{background:#f3f3f3}
            .PASS{background:#d4f7d4}.FAIL{background:#f7c9c9}.SKIP{background:#e6e6e6}.FLAKY{background:#f7e6a8}
            td.PASS a,td.FAIL a,td.SKIP a,td.FLAKY a{color:#111;text-decoration:none;display:block}
            pre,code{font-family:ui-monospace,monospace;font-size:12px}
            pre.tail{background:#fbf3f3;border-left:3px solid #c33;padding:6px;white-space:pre-wrap;overflow-x:auto}
            .reason{font-weight:bold;color:#a11}
            .regression{font-weight:bold;color:#a35a00}td.regressed{outline:3px solid #e69500;outline-offset:-3px}
            .console{background:#fafafa;border:1px solid #ddd;padding:4px 0;white-space:pre-wrap;word-break:break-all}
            .console .l{display:block;padding:0 6px}.console .l>a{color:#999;text-decoration:none;display:inline-block;width:4.5em}
            .console .t{color:#777}.console .in{color:#1748a8}
            .console .match{background:#c8f0c8}.console .fail{background:#f7c0c0}
            .console .l:target{outline:2px solid #e69500;background:#fff1c4}
            svg.timeline{border:1px solid #ddd;background:#fff;max-width:100%;height:auto}
            .muted{color:#777}
            """;
}
