package org.initrdharness.initrd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contents lists and dlopen notes as plain values, read with jackson-core's streaming parser:
 * databind's tree model costs a fresh JVM ~150 ms of CPU; streaming costs ~20 ms more than a
 * hand-written parser did (see the README's performance table), too little to keep one.
 * Values: {@link Map} (field order), {@link List}, {@link String}, {@link Num}, {@link Boolean},
 * {@link #NULL}. A field given twice is an error. Written through {@link OneEntryALine}.
 */
final class JsonValues {
    static final JsonFactory FACTORY =
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** JSON null, distinct from "absent". */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private JsonValues() {}

    /** A number as written, so "5" and "5.0" can be told apart. */
    record Num(String text) {
        boolean isInt() {
            return text.matches("-?[0-9]{1,10}") && Long.parseLong(text) <= Integer.MAX_VALUE
                    && Long.parseLong(text) >= Integer.MIN_VALUE;
        }
    }

    /** A syntax error at a 1-based line and column. */
    static final class SyntaxError extends Exception {
        final int line;
        final int column;

        SyntaxError(String message, int line, int column) {
            super(message);
            this.line = line;
            this.column = column;
        }
    }

    static Object parse(String text) throws SyntaxError {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() == null) throw new SyntaxError("unexpected end of input", 1, 1);
            Object v = read(p);
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new SyntaxError("unexpected text after the end of the JSON value", at.getLineNr(), at.getColumnNr());
            }
            return v;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new SyntaxError(e.getOriginalMessage(), at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String reader does not fail
        }
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
    static String typeOf(Object v) {
        if (v instanceof Map) return "object";
        if (v instanceof List) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Num) return "number";
        if (v instanceof Boolean) return "boolean";
        return "null";
    }
}
