package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.images.Release;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.testng.annotations.Test;

/**
 * System credentials reach a stage-1 unit from each place a VM host can put them: the kernel
 * command line ({@code systemd.set_credential=}), QEMU's fw_cfg (both arches; PID 1 reads
 * {@code opt/io.systemd.credentials/} once {@code qemu_fw_cfg} is loaded) and SMBIOS type 11
 * strings (x86_64, where the firmware hands QEMU's SMBIOS tables to the kernel). The unit takes
 * them as the release supports it ({@code LoadCredential=} on systemd 252,
 * {@code ImportCredential=} on 257) and what it read is seen in stage 2.
 */
public class CredentialsScenario extends Scenario {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test(groups = "nightly")
    public void credentialsFromTheCommandLineFwCfgAndSmbiosReachAStage1Unit() throws IOException {
        // Fresh values: a stale mark or an image cannot pass for this boot's.
        Map<String, String> sent = new LinkedHashMap<>();
        sent.put("hx.cmdline", fresh("cmdline"));
        sent.put("hx.fwcfg", fresh("fwcfg"));
        if (arch == Arch.X86_64) sent.put("hx.smbios", fresh("smbios"));

        MarkingUnit reader = new MarkingUnit("credentials", List.of("systemd-modules-load.service"), script(sent.keySet()),
                importing(sent.keySet()));
        Stage1Options.Builder options = Stage1Options.builder().kernelModules(List.of("qemu_fw_cfg"));
        reader.addTo(options);
        MachineSpec.Builder spec = machine("credentials").initrd(stage1(options.build())).disk(rootDisk())
                .append(rootByLabel() + " systemd.set_credential=hx.cmdline:" + sent.get("hx.cmdline"))
                .extraQemuArgs("-fw_cfg", "name=opt/io.systemd.credentials/hx.fwcfg,string=" + sent.get("hx.fwcfg"));
        if (sent.containsKey("hx.smbios")) {
            spec.extraQemuArgs("-smbios", "type=11,value=io.systemd.credential:hx.smbios=" + sent.get("hx.smbios"));
        }
        try (Machine m = start(spec.build())) {
            Stage2Report stage2 = awaitStage2(m);
            StringBuilder expected = new StringBuilder();
            sent.forEach((name, value) -> expected.append(name).append('=').append(value).append('\n'));
            assertEquals(stage2.mark("credentials"), expected.toString().strip(), "what the stage-1 unit read from "
                    + "$CREDENTIALS_DIRECTORY (systemd " + systemdVersion() + ", " + String.join(", ", sent.keySet()) + ")");
            System.out.printf("%s: %d credentials read by a stage-1 unit (%s); stage 2 at %.1f s%n", cell(), sent.size(),
                    String.join(", ", sent.keySet()), stage2.secondsSinceStart());
        }
    }

    /** systemd 252 loads a system credential by name; 257 imports them by glob (and still loads by name). */
    private List<String> importing(Iterable<String> names) {
        List<String> lines = new ArrayList<>();
        if (release == Release.BOOKWORM) {
            names.forEach(n -> lines.add("LoadCredential=" + n));
        } else {
            lines.add("ImportCredential=hx.*");
        }
        return lines;
    }

    /** One line per credential: its value, or what the unit saw instead (and where PID 1 keeps them). */
    private static String script(Iterable<String> names) {
        StringBuilder s = new StringBuilder();
        for (String n : names) {
            s.append("if [ -r \"$CREDENTIALS_DIRECTORY/").append(n).append("\" ]; then echo \"").append(n)
                    .append("=$(cat \"$CREDENTIALS_DIRECTORY/").append(n).append("\")\"; else echo \"").append(n)
                    .append(" missing; the system has: $(ls /run/credentials/@system 2>&1 | tr '\\n' ' ')\"; fi\n");
        }
        return s.toString();
    }

    private static String fresh(String where) {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "hx-" + where + "-" + HexFormat.of().formatHex(b);
    }
}
