package org.initrdharness.files;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** One rule for where the caches go, as a child JVM with its own environment sees it. */
public class CacheDirectoryTest {

    @DataProvider
    public Object[][] settings() {
        return new Object[][] {
            {Map.of("INITRD_HARNESS_CACHE", "/x/env", "XDG_CACHE_HOME", "/x/xdg"), "", "/x/env"},
            {Map.of("INITRD_HARNESS_CACHE", "/x/env"), "-Dinitrd-harness.cache=/x/prop", "/x/prop"},
            {Map.of("XDG_CACHE_HOME", "/x/xdg"), "", "/x/xdg/initrd-harness"},
            {Map.of("INITRD_HARNESS_CACHE", " ", "XDG_CACHE_HOME", "/x/xdg"), "", "/x/xdg/initrd-harness"},
            {Map.of(), "", "/x/home/.cache/initrd-harness"},
        };
    }

    @Test(dataProvider = "settings")
    public void thePropertyThenTheEnvironmentThenXdgThenHomeNameTheCache(Map<String, String> env, String property,
            String expected) throws Exception {
        assertEquals(rootSeenBy(env, property), expected, "environment " + env + ", property '" + property + "'");
    }

    /** The root as a fresh JVM prints it, with HOME at /x/home and only {@code env} of ours set. */
    static String rootSeenBy(Map<String, String> env, String property) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = property.isEmpty()
                ? new ProcessBuilder(java, "-Duser.home=/x/home", "-cp", System.getProperty("java.class.path"), Print.class.getName())
                : new ProcessBuilder(java, "-Duser.home=/x/home", property, "-cp", System.getProperty("java.class.path"),
                        Print.class.getName());
        pb.environment().remove(CacheDirectory.ENV);
        pb.environment().remove("XDG_CACHE_HOME");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not print its cache directory within 60 s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /** Prints {@link CacheDirectory#root()}. */
    public static final class Print {
        public static void main(String[] args) {
            System.out.print(CacheDirectory.root());
        }
    }
}
