package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

public class LegacyHooksTest {
    private static final Stage1Options ALL = Stage1Options.builder()
            .hooks("echo pre-device", "echo post-device", "touch /sysroot/marker", "echo pre-fail").build();

    private static String unit(Stage1Composition c, String name) {
        return c.text("/etc/systemd/system/" + name).orElseThrow(() -> new AssertionError("no unit " + name));
    }

    @Test
    public void hooksRunInTheScriptedStage1Order() {
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, ALL, null);
        String pre = unit(c, "stage1-pre-device.service");
        assertTrue(pre.contains("Before=systemd-udevd.service systemd-udev-trigger.service sysinit.target"), pre);
        assertTrue(pre.contains("After=systemd-modules-load.service"), pre);
        String post = unit(c, "stage1-post-device.service");
        assertTrue(post.contains("After=systemd-udev-trigger.service cryptsetup.target initrd-root-device.target"), post);
        assertTrue(post.contains("Before=sysroot.mount initrd-root-fs.target"), post);
        assertTrue(post.contains("ExecStartPre=-/usr/bin/udevadm settle"), post);
        String mount = unit(c, "stage1-post-mount.service");
        assertTrue(mount.contains("After=sysroot.mount initrd-root-fs.target initrd-fs.target"), mount);
        assertTrue(mount.contains("Before=initrd.target initrd-cleanup.service initrd-switch-root.target"), mount);
        String fail = unit(c, "stage1-pre-fail.service");
        assertTrue(fail.contains("Before=emergency.service"), fail);
        assertFalse(fail.contains("OnFailure="), "a failing preFail hook must not loop into emergency");
    }

    /** Unit -> the option it runs, and that option's commands in {@link #ALL}. */
    private static final Map<String, List<String>> HOOK_OF_UNIT = Map.of(
            "stage1-pre-device.service", List.of("preDeviceCommands", "echo pre-device"),
            "stage1-post-device.service", List.of("postDeviceCommands", "echo post-device"),
            "stage1-post-mount.service", List.of("postMountCommands", "touch /sysroot/marker"),
            "stage1-pre-fail.service", List.of("preFailCommands", "echo pre-fail"));

    @Test
    public void failingHooksGoToEmergencyAndTheirOutputToTheConsole() {
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, ALL, null);
        for (String u : List.of("stage1-pre-device.service", "stage1-post-device.service",
                "stage1-post-mount.service")) {
            String text = unit(c, u);
            assertTrue(text.contains("OnFailure=emergency.target\nOnFailureJobMode=isolate\n"), text);
            assertTrue(text.contains("StandardOutput=journal+console"), text);
        }
    }

    @Test
    public void eachUnitRunsItsOwnHook() {
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, ALL, null);
        for (Map.Entry<String, List<String>> e : HOOK_OF_UNIT.entrySet()) {
            String hook = e.getValue().get(0);
            String text = unit(c, e.getKey());
            assertTrue(text.contains("Description=" + hook + " hook\n"), e.getKey() + ":\n" + text);
            assertTrue(text.contains("ExecStart=/usr/lib/stage1/run-hook " + hook + "\n"), e.getKey() + ":\n" + text);
            assertEquals(c.text("/etc/stage1/hooks/" + hook).orElseThrow(), e.getValue().get(1) + "\n", hook);
        }
        assertEquals(c.unitNames().stream().filter(u -> u.startsWith("stage1-")).sorted().toList(),
                HOOK_OF_UNIT.keySet().stream().sorted().toList());
    }

    @Test
    public void eachHookIsWantedByItsTargetAndHoldsTheCommands() {
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, ALL, null);
        assertEquals(((PlanEntry.Symlink) c.generatedAt(
                "/etc/systemd/system/sysinit.target.wants/stage1-pre-device.service").orElseThrow()).target(),
                "../stage1-pre-device.service");
        assertTrue(c.generatedAt("/etc/systemd/system/initrd-root-fs.target.wants/stage1-post-device.service").isPresent());
        assertTrue(c.generatedAt("/etc/systemd/system/initrd.target.wants/stage1-post-mount.service").isPresent());
        assertTrue(c.generatedAt("/etc/systemd/system/emergency.target.wants/stage1-pre-fail.service").isPresent());
        assertEquals(c.text("/etc/stage1/hooks/postMountCommands").orElseThrow(), "touch /sysroot/marker\n");
        String runner = c.text(LegacyHooks.RUNNER).orElseThrow();
        assertTrue(runner.startsWith("#!/usr/bin/busybox sh\n"), runner);
        assertTrue(runner.contains("stage1: hook $name failed with exit status $status"), runner);
    }

    @Test
    public void bashRunsHooksWhenAsked() {
        Stage1Options o = Stage1Options.parse("{\"hookShell\": \"bash\", \"preDeviceCommands\": \"true\"}", "test");
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, o, null);
        assertTrue(c.text(LegacyHooks.RUNNER).orElseThrow().startsWith("#!/usr/bin/bash\n"));
        assertTrue(c.wants("/usr/bin/bash"));
    }

    @Test
    public void withoutHooksThereIsNoRunner() {
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, Stage1Options.defaults(), null);
        assertFalse(c.generatedAt(LegacyHooks.RUNNER).isPresent());
        assertFalse(c.unitNames().stream().anyMatch(u -> u.startsWith("stage1-")));
    }
}
