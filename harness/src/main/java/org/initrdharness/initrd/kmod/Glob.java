package org.initrdharness.initrd.kmod;

/**
 * A module alias pattern ("pci:v00001AF4d*sv*sd*bc*sc*i*") matched as fnmatch(3) without flags
 * matches it: '*', '?' and bracket expressions ("[0-9]", "[!a]"). The literal part before the
 * first wildcard is checked first, which rules out nearly every pattern at once.
 */
record Glob(String pattern, String module, String literalPrefix) {
    Glob(String pattern, String module) {
        this(pattern, module, pattern.substring(0, firstWildcard(pattern)));
    }

    static boolean isPattern(String s) {
        return firstWildcard(s) < s.length();
    }

    private static int firstWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[') return i;
        }
        return s.length();
    }

    boolean matches(String text) {
        return text.startsWith(literalPrefix) && match(pattern, literalPrefix.length(), text, literalPrefix.length());
    }

    private static boolean match(String p, int pi, String t, int ti) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                while (pi < p.length() && p.charAt(pi) == '*') pi++;
                if (pi == p.length()) return true;
                for (int k = ti; k <= t.length(); k++) {
                    if (match(p, pi, t, k)) return true;
                }
                return false;
            }
            if (ti >= t.length()) return false;
            char x = t.charAt(ti);
            if (c == '?') {
                pi++;
            } else if (c == '[') {
                int end = bracketEnd(p, pi);
                if (end < 0) {
                    if (x != '[') return false; // an unterminated '[' is a literal
                    pi++;
                } else {
                    if (!inBracket(p, pi + 1, end, x)) return false;
                    pi = end + 1;
                }
            } else {
                if (c != x) return false;
                pi++;
            }
            ti++;
        }
        return ti == t.length();
    }

    /** Index of the ']' closing the bracket at {@code start}, or -1. */
    private static int bracketEnd(String p, int start) {
        int i = start + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) i++;
        if (i < p.length() && p.charAt(i) == ']') i++; // a leading ']' is a member
        while (i < p.length() && p.charAt(i) != ']') i++;
        return i < p.length() ? i : -1;
    }

    private static boolean inBracket(String p, int from, int end, char x) {
        boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negate ? from + 1 : from;
        boolean found = false;
        boolean first = true;
        while (i < end) {
            char lo = p.charAt(i);
            if (!first && lo == ']') break;
            first = false;
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                char hi = p.charAt(i + 2);
                if (lo <= x && x <= hi) found = true;
                i += 3;
            } else {
                if (lo == x) found = true;
                i++;
            }
        }
        return found != negate;
    }
}
