package org.initrdharness.initrd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contents lists and dlopen notes as plain values, read with jackson-core's streaming parser:
 * databind's tree model costs a fresh JVM ~150 ms of CPU; streaming costs ~20 ms more than a
 * hand-written parser did (see the README's performance table), too little to keep one.
 * Values: {@link Map} (field order), {@link List}, {@link String}, {@link Num}, {@link Boolean},
 * {@link #NULL}. Read strictly: a field given twice, text after the value, nesting deeper than
 * {@link #MAX_DEPTH} and bytes that are not UTF-8 are errors. Written through {@link OneEntryALine}.
 */
public final class JsonValues {
    /** Deeper than any contents list or options file needs, shallow enough for a recursive reader. */
    public static final int MAX_DEPTH = 64;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE / 2).build())
            .build();

    /** JSON null, distinct from "absent". */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private JsonValues() {}

    /** A number as written, so "5" and "5.0" can be told apart. */
    public record Num(String text) {
        public boolean isInt() {
            return text.matches("-?[0-9]{1,10}") && Long.parseLong(text) <= Integer.MAX_VALUE
                    && Long.parseLong(text) >= Integer.MIN_VALUE;
        }
    }

    /** A syntax error at a 1-based line and column (0 when the parser could not say). */
    public static final class SyntaxError extends Exception {
        public final int line;
        public final int column;

        SyntaxError(String message, int line, int column) {
            super(message);
            this.line = line;
            this.column = column;
        }

        /** "line 3 column 7: what", or just what when the place is unknown. */
        public String where() {
            return line > 0 ? "line " + line + " column " + column + ": " + getMessage() : getMessage();
        }
    }

    /**
     * The bytes of {@code file}, at most {@code limit} of them; {@code what} ("contents list")
     * names the file in errors. Reads no more than the limit, so /dev/zero is refused, not a
     * memory exhaustion.
     */
    public static byte[] readLimited(Path file, int limit, String what) throws IOException {
        if (Files.isDirectory(file)) throw new InitrdBuildException(what + " " + file + " is a directory, not a file");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > limit) {
                throw new InitrdBuildException(what + " " + file + " is larger than " + (limit >> 20)
                        + " MiB, more than any such file needs; is it the right file?");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new InitrdBuildException(what + " " + file + " does not exist");
        }
    }

    /** {@code bytes} as UTF-8 text; anything else is an error naming the byte offset. */
    public static String utf8(byte[] bytes, String what) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            throw new InitrdBuildException(what + " is not UTF-8 text: byte offset " + in.position()
                    + " starts an invalid sequence (0x" + String.format("%02x", bytes[in.position()] & 0xFF)
                    + "); save the file as UTF-8");
        }
        d.flush(out);
        return out.flip().toString();
    }

    /** Parses JSON text into plain values. */
    public static Object parse(String text) throws SyntaxError {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() == null) throw new SyntaxError("unexpected end of input", 1, 1);
            Object v = read(p);
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new SyntaxError("unexpected text after the end of the JSON value", at.getLineNr(), at.getColumnNr());
            }
            return v;
        } catch (StreamConstraintsException e) {
            throw new SyntaxError(e.getMessage().contains("nesting")
                    ? "nested deeper than " + MAX_DEPTH + " levels of arrays and objects"
                    : e.getOriginalMessage().replaceAll(" \\(\\d+, from `[^`]*`\\)", "")
                            .replace("exceeds the maximum allowed", "is more than this reader takes"), 0, 0);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new SyntaxError(plain(e.getOriginalMessage()), at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String reader does not fail
        }
    }

    /** The parser's message without its "[Source: REDACTED ...]" locations, which name nothing. */
    static String plain(String message) {
        String m = message.replaceAll("\\(start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)\\]\\)",
                "(opened at line $1 column $2)");
        m = m.replaceAll("\\s*at \\[Source: [^\\]]*\\]", "").replaceAll("\\[Source: [^\\]]*\\]", "");
        return m.replace('\n', ' ');
    }

    private static Object read(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> out = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) out.add(read(p));
                return out;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Num(p.getText());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return NULL;
        }
    }

    /** {@code [}, then each entry on a line of its own as {@code  {"target": "/x", "mode": "0755"}}, then {@code ]}. */
    static final class OneEntryALine extends MinimalPrettyPrinter {
        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw("[\n");
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            g.writeRaw("  ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(",\n  ");
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            g.writeRaw(values > 0 ? "\n]" : "]");
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }

    /** The JSON type name of a parsed value, for messages. */
    public static String typeOf(Object v) {
        if (v instanceof Map) return "object";
        if (v instanceof List) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Num) return "number";
        if (v instanceof Boolean) return "boolean";
        return "null";
    }
}
