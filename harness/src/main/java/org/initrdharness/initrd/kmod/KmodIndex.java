package org.initrdharness.initrd.kmod;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.initrdharness.initrd.InitrdBuildException;

/**
 * A kmod binary index (modules.dep.bin, modules.alias.bin, ...): a trie from ASCII keys to
 * prioritised ASCII values, as libkmod reads it. Layout (all integers big-endian): magic
 * 0xB007F457, version 0x00020001, root node offset; each node is an optional NUL-terminated
 * prefix, an optional child table (first char, last char, one offset per char), an optional
 * value list (count, then priority and NUL-terminated value each). A node offset carries flags
 * in its top nibble saying which parts the node has. Nodes are written parent first.
 */
final class KmodIndex {
    static final int MAGIC = 0xB007F457;
    static final int VERSION = 0x00020001;
    static final int FLAG_PREFIX = 0x80000000;
    static final int FLAG_VALUES = 0x40000000;
    static final int FLAG_CHILDREN = 0x20000000;
    private static final int HEADER = 12;

    private final Node root = new Node("");

    /**
     * Adds {@code value} under {@code key}. Values of one key are kept sorted by priority; a
     * value goes before others of equal priority, as depmod does.
     */
    void insert(String key, String value, int priority) {
        checkAscii(key);
        checkAscii(value);
        Node node = root;
        int i = 0;
        while (true) {
            // Split the node where its prefix and the key part ways.
            int j = 0;
            for (; j < node.prefix.length(); j++) {
                char ch = node.prefix.charAt(j);
                if (i + j >= key.length() || key.charAt(i + j) != ch) {
                    Node tail = new Node(node.prefix.substring(j + 1));
                    tail.children.putAll(node.children);
                    tail.values.addAll(node.values);
                    node.children.clear();
                    node.values.clear();
                    node.prefix = node.prefix.substring(0, j);
                    node.children.put(ch, tail);
                    break;
                }
            }
            i += j;
            if (i == key.length()) {
                node.addValue(value, priority);
                return;
            }
            char ch = key.charAt(i);
            Node child = node.children.get(ch);
            if (child == null) {
                child = new Node(key.substring(i + 1));
                child.addValue(value, priority);
                node.children.put(ch, child);
                return;
            }
            node = child;
            i++;
        }
    }

    /** The index file's bytes. */
    byte[] toBytes() {
        root.computeSizes();
        Out out = new Out(HEADER + root.total);
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u32(HEADER | root.flags());
        root.write(out, HEADER);
        byte[] bytes = out.toByteArray();
        if (bytes.length != HEADER + root.total) {
            throw new IllegalStateException("kmod index size mismatch: " + bytes.length + " != " + (HEADER + root.total));
        }
        return bytes;
    }

    private static void checkAscii(String s) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c >= 128 || c == 0) {
                throw new InitrdBuildException("kmod index: only 7-bit ASCII without NUL is allowed, got '"
                        + s + "'");
            }
        }
    }

    private record Value(int priority, String text) { }

    private static final class Node {
        String prefix;
        final TreeMap<Character, Node> children = new TreeMap<>();
        final List<Value> values = new ArrayList<>();
        int size;
        int total;

        Node(String prefix) {
            this.prefix = prefix;
        }

        void addValue(String value, int priority) {
            int at = 0;
            while (at < values.size() && Integer.compareUnsigned(values.get(at).priority, priority) < 0) at++;
            values.add(at, new Value(priority, value));
        }

        int flags() {
            int f = 0;
            if (!children.isEmpty()) f |= FLAG_CHILDREN;
            if (!prefix.isEmpty()) f |= FLAG_PREFIX;
            if (!values.isEmpty()) f |= FLAG_VALUES;
            return f;
        }

        int firstChar() {
            return children.firstKey();
        }

        int lastChar() {
            return children.lastKey();
        }

        void computeSizes() {
            size = 0;
            total = 0;
            if (!children.isEmpty()) {
                size += 2 + 4 * (lastChar() - firstChar() + 1);
                for (Node c : children.values()) {
                    c.computeSizes();
                    total += c.total;
                }
            }
            if (!prefix.isEmpty()) size += prefix.length() + 1;
            if (!values.isEmpty()) {
                size += 4;
                for (Value v : values) size += 4 + v.text.length() + 1;
            }
            total += size;
        }

        void write(Out out, int offset) {
            if (!prefix.isEmpty()) out.cstring(prefix);
            if (!children.isEmpty()) {
                int first = firstChar();
                int last = lastChar();
                out.u8(first);
                out.u8(last);
                int next = offset + size;
                for (int c = first; c <= last; c++) {
                    Node child = children.get((char) c);
                    if (child == null) {
                        out.u32(0);
                    } else {
                        out.u32(next | child.flags());
                        next += child.total;
                    }
                }
            }
            if (!values.isEmpty()) {
                out.u32(values.size());
                for (Value v : values) {
                    out.u32(v.priority);
                    out.cstring(v.text);
                }
            }
            int next = offset + size;
            for (Node child : children.values()) {
                child.write(out, next);
                next += child.total;
            }
        }
    }

    private static final class Out extends ByteArrayOutputStream {
        Out(int capacity) {
            super(capacity);
        }

        void u8(int v) {
            write(v);
        }

        void u32(int v) {
            write(v >>> 24);
            write(v >>> 16);
            write(v >>> 8);
            write(v);
        }

        void cstring(String s) {
            writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            write(0);
        }
    }
}
