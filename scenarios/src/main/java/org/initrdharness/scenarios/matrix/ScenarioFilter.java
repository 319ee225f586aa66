package org.initrdharness.scenarios.matrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scenarios a matrix run is limited to, as {@code --scenario} names them: a class
 * ("EmergencyShellScenario") runs all its tests of the suite, "Class.method" only that test.
 *
 * @param only simple class name to the methods asked for (empty: every test of the class);
 *             an empty map lets everything through
 */
public record ScenarioFilter(Map<String, Set<String>> only) {

    /** No filter. */
    public static final ScenarioFilter ALL = new ScenarioFilter(Map.of());

    /** Reads "Class" and "Class.method" names; refuses names no catalogued class carries. */
    public static ScenarioFilter parse(List<String> names, List<Class<?>> catalogue) {
        Map<String, Set<String>> only = new LinkedHashMap<>();
        for (String name : names) {
            int dot = name.indexOf('.');
            String cls = dot < 0 ? name : name.substring(0, dot);
            if (catalogue.stream().noneMatch(c -> c.getSimpleName().equals(cls))) {
                List<String> known = new ArrayList<>();
                catalogue.forEach(c -> known.add(c.getSimpleName()));
                throw new IllegalArgumentException("--scenario " + name + ": no scenario class '" + cls
                        + "'; known: " + String.join(", ", known));
            }
            Set<String> methods = only.computeIfAbsent(cls, k -> new TreeSet<>());
            if (dot >= 0) methods.add(name.substring(dot + 1));
        }
        // A class named alone runs all its tests, whatever single methods were named too.
        for (String name : names) {
            if (name.indexOf('.') < 0) only.put(name, Set.of());
        }
        return new ScenarioFilter(Map.copyOf(only));
    }

    public boolean admits(Class<?> scenario) {
        return only.isEmpty() || only.containsKey(scenario.getSimpleName());
    }

    /** The methods to include for {@code scenario}; empty means all of the suite's. */
    public Set<String> methodsOf(Class<?> scenario) {
        return only.getOrDefault(scenario.getSimpleName(), Set.of());
    }
}
