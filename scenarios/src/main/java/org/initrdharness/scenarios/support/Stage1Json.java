package org.initrdharness.scenarios.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.initrdharness.stage1.Stage1Options;

/** Stage-1 options written as a map of JSON values, read the way a user's options file is. */
public final class Stage1Json {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Stage1Json() {
    }

    /** Options from {@code json} (keys as in an options file); {@code origin} names them in errors. */
    public static Stage1Options options(String origin, Map<String, Object> json) {
        try {
            return Stage1Options.parse(JSON.writeValueAsString(json), origin);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(origin + ": options not expressible as JSON: " + e.getMessage(), e);
        }
    }
}
