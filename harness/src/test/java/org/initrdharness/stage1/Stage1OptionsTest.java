package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.initrdharness.initrd.InitrdBuildException;
import org.testng.annotations.Test;

public class Stage1OptionsTest {
    /** `openssl passwd -6 -salt abc secret` */
    static final String SHA512 =
            "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1";

    @Test
    public void defaultsIncludeCryptsetupAndPlymouthAndLockRoot() {
        Stage1Options o = Stage1Options.parse("{}", "test");
        assertEquals(o, Stage1Options.defaults());
        assertTrue(o.cryptsetup());
        assertTrue(o.plymouth());
        assertTrue(o.fsck());
        assertFalse(o.lvm());
        assertEquals(o.emergencyAccess(), EmergencyAccess.LOCKED);
        assertNull(o.deviceTimeoutSec());
        assertEquals(o.hookShell(), HookShell.BUSYBOX);
        assertEquals(Stage1Options.builder().build(), o);
        assertEquals(Stage1Options.parse("null", "test"), o);
    }

    /** Every key set to something other than its default, once as JSON and once through the builder. */
    private static final String ALL_KEYS = """
            {"cryptsetup": false, "plymouth": false, "fsck": false, "lvm": true,
             "fileSystems": [{"device": "LABEL=r", "fsType": "ext4"}, {"device": "/dev/vdb", "mountPoint": "/sysroot/d"}],
             "luks": [{"name": "c", "device": "UUID=1", "passphrase": "p"}, {"name": "k", "device": "/dev/vdc", "keyFile": "/k"}],
             "kernelModules": ["brd"], "modprobeOptions": {"brd": "rd_nr=3"},
             "emergencyAccess": "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1", "deviceTimeoutSec": 5, "startTimeoutSec": 7, "journalToConsole": true,
             "network": {"networkFiles": {"10-a.network": "[Match]\\n"}},
             "units": {"b.service": "[Service]\\n", "a.service": "[Unit]\\n"},
             "wants": {"initrd.target": ["a.service", "b.service"], "sysinit.target": ["c.service"]},
             "dropIns": {"a.service/x.conf": "[Service]\\n"}, "binaries": ["/usr/bin/ip"], "files": {"/etc/x": "y"},
             "hookShell": "bash", "preDeviceCommands": "a", "postDeviceCommands": "b", "postMountCommands": "c",
             "preFailCommands": "d", "sshUnlock": {"hostKey": "/h", "authorizedKeys": ["ssh-ed25519 AAAA x"]}, "exitrd": true}
            """;

    private static Stage1Options allKeysBuilt() {
        return Stage1Options.builder().cryptsetup(false).plymouth(false).fsck(false).lvm(true)
                .fileSystem(new Stage1Options.FileSystem("LABEL=r", null, "ext4", null))
                .fileSystem(new Stage1Options.FileSystem("/dev/vdb", "/sysroot/d", null, null))
                .luksVolume(new Stage1Options.LuksVolume("c", "UUID=1", "p", null, null))
                .luksVolume(new Stage1Options.LuksVolume("k", "/dev/vdc", null, "/k", null))
                .kernelModules(List.of("brd")).modprobeOptions(Map.of("brd", "rd_nr=3"))
                .emergencyAccess(EmergencyAccess.hash("$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1")).deviceTimeoutSec(5).startTimeoutSec(7)
                .journalToConsole(true).network(new Stage1Options.Network(Map.of("10-a.network", "[Match]\n"), null))
                .unit("b.service", "[Service]\n").unit("a.service", "[Unit]\n")
                .want("initrd.target", "a.service").want("sysinit.target", "c.service").want("initrd.target", "b.service")
                .dropIns(Map.of("a.service/x.conf", "[Service]\n")).binaries(List.of("/usr/bin/ip")).file("/etc/x", "y")
                .hookShell(HookShell.BASH).hooks("a", "b", "c", "d")
                .sshUnlock(new Stage1Options.SshUnlock("/h", List.of("ssh-ed25519 AAAA x"))).exitrd(true).build();
    }

    @Test
    public void theBuilderMakesWhatTheSameJsonMakes() {
        Stage1Options parsed = Stage1Options.parse(ALL_KEYS, "test");
        assertEquals(allKeysBuilt(), parsed);
        assertNotEquals(parsed, Stage1Options.defaults());
    }

    @Test
    public void toBuilderGivesTheSameOptionsBackAndLeavesTheOriginalAlone() {
        Stage1Options o = allKeysBuilt();
        assertEquals(o.toBuilder().build(), o);
        assertEquals(Stage1Options.defaults().toBuilder().build(), Stage1Options.defaults());
        Stage1Options.Builder b = o.toBuilder();
        Stage1Options changed = b.want("initrd.target", "d.service").file("/etc/z", "z").preFailCommands(null).build();
        assertEquals(changed.wants().get("initrd.target"), List.of("a.service", "b.service", "d.service"));
        assertEquals(o.wants().get("initrd.target"), List.of("a.service", "b.service"), "the original keeps its lists");
        assertFalse(o.files().containsKey("/etc/z"));
        assertEquals(o.preFailCommands(), "d");
        b.want("initrd.target", "e.service");
        assertEquals(changed.wants().get("initrd.target"), List.of("a.service", "b.service", "d.service"),
                "what was built keeps its lists when the builder goes on");
    }

    @Test
    public void nullInABuilderSetterRestoresTheDefaultAsInJson() {
        Stage1Options o = allKeysBuilt().toBuilder().cryptsetup(null).plymouth(null).fsck(null).lvm(null).fileSystems(null)
                .luks(null).kernelModules(null).modprobeOptions(null).emergencyAccess(null).deviceTimeoutSec(null)
                .startTimeoutSec(null).journalToConsole(null).network(null).units(null).wants(null).dropIns(null)
                .binaries(null).files(null).hookShell(null).hooks(null, null, null, null).sshUnlock(null).exitrd(null).build();
        assertEquals(o, Stage1Options.defaults());
        assertEquals(Stage1Options.parse("{\"plymouth\": null, \"emergencyAccess\": null, \"hookShell\": null}", "t"),
                Stage1Options.defaults());
    }

    @Test
    public void writtenAsJsonTheOptionsReadBackTheSame() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (Stage1Options o : List.of(Stage1Options.defaults(), allKeysBuilt(),
                Stage1Options.builder().emergencyAccess(EmergencyAccess.OPEN).build())) {
            String text = json.writeValueAsString(o);
            assertEquals(Stage1Options.parse(text, "written"), o, text);
        }
        String open = json.writeValueAsString(Stage1Options.builder().emergencyAccess(EmergencyAccess.OPEN).build());
        assertTrue(open.contains("\"emergencyAccess\":\"open\""), open);
        assertTrue(open.contains("\"hookShell\":\"busybox\""), open);
    }

    private static final List<String> KEYS = List.of("binaries", "btrfs", "cryptsetup", "deviceTimeoutSec", "dropIns",
            "emergencyAccess", "exitrd", "files", "fileSystems", "fsck", "hookShell", "journalToConsole", "kernelModules",
            "luks", "lvm", "mdraid", "modprobeOptions", "network", "plymouth", "postDeviceCommands", "postMountCommands",
            "preDeviceCommands", "preFailCommands", "sshUnlock", "startTimeoutSec", "tpm2", "units", "wants");

    @Test
    public void theKnownKeysAreTheOptionsAndNotTheBuildersAdders() {
        for (String adder : List.of("fileSystem", "luksVolume", "unit", "want", "file", "hooks", "build", "toBuilder")) {
            InitrdBuildException e = expectThrows(InitrdBuildException.class,
                    () -> Stage1Options.parse("{\"" + adder + "\": \"x\"}", "opts.json"));
            assertTrue(e.getMessage().startsWith("opts.json: unknown option '" + adder + "'"), e.getMessage());
            String known = e.getMessage().substring(e.getMessage().indexOf("known options there: ") + 21);
            assertEquals(known, KEYS.stream().sorted().collect(Collectors.joining(", ")), e.getMessage());
        }
    }

    @Test
    public void eachEmergencyAccessIsReadAsItsVariant() {
        assertEquals(Stage1Options.parse("{\"emergencyAccess\": \"locked\"}", "t").emergencyAccess(), EmergencyAccess.LOCKED);
        assertEquals(Stage1Options.parse("{\"emergencyAccess\": \"open\"}", "t").emergencyAccess(), EmergencyAccess.OPEN);
        assertEquals(Stage1Options.parse("{\"emergencyAccess\": \"" + SHA512 + "\"}", "t").emergencyAccess(),
                new EmergencyAccess.Hash("$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1"));
        assertEquals(EmergencyAccess.of("open"), EmergencyAccess.OPEN);
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> EmergencyAccess.hash("secret"));
        assertTrue(e.getMessage().contains("\"locked\", \"open\""), e.getMessage());
    }

    @Test
    public void badHookShellSaysWhatIsAllowed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"hookShell\": \"zsh\"}", "o.json"));
        assertEquals(e.getMessage(), "o.json: option hookShell: 'zsh' is not \"busybox\" or \"bash\"");
    }

    @Test
    public void anUnknownKeyIsNamedWithTheKnownOnes() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"plymuoth\": false}", "opts.json"));
        assertTrue(e.getMessage().startsWith("opts.json: unknown option 'plymuoth'"), e.getMessage());
        assertTrue(e.getMessage().contains("plymouth"), e.getMessage());
    }

    @Test
    public void anUnknownNestedKeyIsNamed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"luks\": [{\"name\": \"r\", \"device\": \"/dev/vda\", \"keyfile\": \"k\"}]}", "o.json"));
        assertTrue(e.getMessage().contains("unknown option 'keyfile'"), e.getMessage());
        assertTrue(e.getMessage().contains("keyFile"), e.getMessage());
    }

    @Test
    public void badEmergencyAccessSaysWhatIsAllowed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"emergencyAccess\": \"nopassword\"}", "o.json"));
        assertTrue(e.getMessage().contains("\"locked\", \"open\""), e.getMessage());
    }

    @Test
    public void aMountPointOutsideSysrootIsRefused() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"fileSystems\": [{\"device\": \"/dev/vda\", \"mountPoint\": \"/mnt\"}]}", "o.json"));
        assertTrue(e.getMessage().contains("'/mnt'"), e.getMessage());
    }

    @Test
    public void aWrongTypeNamesTheFile() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"deviceTimeoutSec\": \"soon\"}", "o.json"));
        assertTrue(e.getMessage().startsWith("o.json: "), e.getMessage());
    }

    /** Values that would write outside their place, or that a file cannot mean, each with what the message says. */
    @org.testng.annotations.DataProvider
    public Object[][] refused() {
        return new Object[][] {
            {"{\"dropIns\": {\"x.service/../../evil.conf\": \"[Unit]\"}}", "option dropIns: 'x.service/../../evil.conf' is not"},
            {"{\"dropIns\": {\"x.service/a/b.conf\": \"\"}}", "option dropIns: 'x.service/a/b.conf'"},
            {"{\"dropIns\": {\"../x.service/b.conf\": \"\"}}", "option dropIns: '../x.service/b.conf'"},
            {"{\"fileSystems\": [{\"device\": \"/dev/vda\", \"mountPoint\": \"/sysroot/../etc\"}]}",
                "option fileSystems[0].mountPoint: '/sysroot/../etc' must be /sysroot or a path below it"},
            {"{\"fileSystems\": [{\"device\": \"/dev/vda\", \"mountPoint\": \"/sysroot/a/..\"}]}", "fileSystems[0].mountPoint"},
            {"{\"files\": {\"/\": \"x\"}}", "option files: '/' is the initrd's root directory"},
            {"{\"files\": {\"//\": \"x\"}}", "option files: '//' is the initrd's root directory"},
            {"{\"files\": {\"/.\": \"x\"}}", "option files: '/.' is the initrd's root"},
            {"{\"files\": {\"/etc/../init\": \"x\"}}", "option files: '/etc/../init' contains \"..\""},
            {"{\"binaries\": [\"/usr/../../bin/sh\"]}", "option binaries[0]: '/usr/../../bin/sh' contains"},
            {"{\"network\": {\"networkFiles\": {\"../x.network\": \"\"}}}", "option network.networkFiles: '../x.network'"},
            {"{\"units\": {\"../x.service\": \"\"}}", "option units: '../x.service' is not a unit name"},
            {"{\"wants\": {\"initrd.target\": [\"../x.service\"]}}", "option wants.initrd.target[0]: '../x.service'"},
            {"{\"emergencyAccess\": \"$\"}", "option emergencyAccess: '$' is neither"},
            {"{\"emergencyAccess\": \"$6$salt$short\"}", "nor a whole crypt(3) hash"},
            {"{\"emergencyAccess\": \"" + SHA512 + ":0:0\"}", "nor a whole crypt(3) hash"},
            {"{\"deviceTimeoutSec\": -1}", "option deviceTimeoutSec: '-1' is not a whole number of seconds from 1 to 86400"},
            {"{\"deviceTimeoutSec\": 0}", "option deviceTimeoutSec: '0'"},
            {"{\"startTimeoutSec\": 1.5}", "option startTimeoutSec: '1.5'"},
            {"{\"startTimeoutSec\": 1e3}", "option startTimeoutSec: '1e3'"},
            {"{\"startTimeoutSec\": \"NaN\"}", "option startTimeoutSec: 'NaN'"},
            {"{\"startTimeoutSec\": 99999999999}", "option startTimeoutSec: '99999999999'"},
            {"{} x", "not valid JSON"},
            {"{}{}", "not valid JSON"},
            {"{\"kernelModules\": [null]}", "option kernelModules[0]: null is not allowed in a list"},
            {"{\"binaries\": [\"/a\", null]}", "option binaries[1]: null"},
            {"{\"plymouth\": false, \"plymouth\": true}", "Duplicate field 'plymouth'"},
            {"{\"plymouth\": 2}", "option plymouth: '2' is not true or false"},
            {"{\"plymouth\": [true]}", "option plymouth: array is not true or false"},
            {"{\"luks\": [{\"name\": \"r\", \"device\": \"/dev/vda\"}, {\"name\": \"r\", \"device\": \"/dev/vdb\"}]}",
                "option luks[1].name: 'r' is the name of an earlier volume"},
            {"{\"luks\": [{\"device\": \"/dev/vda\"}]}", "option luks[0].name is missing"},
            {"{\"kernelModules\": [\"a\\nb\"]}", "option kernelModules[0]: 'a\\x0ab' is not a kernel module name"},
            {"{\"modprobeOptions\": {\"brd\": \"rd_nr=1\\ninstall brd /bin/sh\"}}", "option modprobeOptions.brd:"},
            {"[]", "the options must be a JSON object"},
            {"{\"luks\": {}}", "option luks: object is not a list"},
            {"{\"network\": []}", "option network must be a JSON object"},
        };
    }

    @Test(dataProvider = "refused")
    public void aValueThatWouldLandElsewhereOrMeansNothingIsRefusedNamingIt(String json, String expected) {
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> Stage1Options.parse(json, "o.json"));
        assertTrue(e.getMessage().startsWith("o.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    public void theBuilderIsHeldToTheSameRules() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.builder().dropIns(Map.of("x.service/../../evil.conf", "")).build());
        assertTrue(e.getMessage().startsWith("option dropIns:"), e.getMessage());
        expectThrows(InitrdBuildException.class, () -> Stage1Options.builder().deviceTimeoutSec(0).build());
        expectThrows(InitrdBuildException.class, () -> Stage1Options.builder().file("/", "x").build());
    }
}
