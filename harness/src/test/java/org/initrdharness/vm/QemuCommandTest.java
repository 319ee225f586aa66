package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.testng.annotations.Test;

public class QemuCommandTest {
    private static final Path SCRATCH = Path.of("/tmp/ihm-1");

    private static QemuCommand.Layout layout(int disks, int empties) {
        return new QemuCommand.Layout(SCRATCH.resolve("console.sock"), SCRATCH.resolve("qmp.sock"),
                Collections.nCopies(disks, SCRATCH.resolve("disk-root.qcow2")),
                Collections.nCopies(empties, SCRATCH.resolve("empty-scratch.qcow2")));
    }

    private static String joined(List<String> args) {
        return String.join(" ", args);
    }

    @Test
    public void x86UsesPcWithSerialConsoleAndPanicThatEnds() {
        MachineSpec spec = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k")).initrd(Path.of("/i"))
                .append("rd.debug").build();
        List<String> a = QemuCommand.build(spec, Accelerator.TCG, layout(0, 0));
        assertEquals(a.get(0), "qemu-system-x86_64");
        String s = joined(a);
        assertTrue(s.contains("-M pc -cpu qemu64 -accel tcg -m 512 -smp 1 -nodefaults -no-reboot -display none"), s);
        assertEquals(a.get(a.indexOf("-append") + 1), "console=ttyS0 panic=-1 no_timer_check rd.debug");
        assertTrue(s.contains("-serial chardev:console"), s);
        assertTrue(a.contains("-S"), "the guest must wait for the console");
        assertTrue(s.contains("-device pvpanic -action panic=exit-failure"), s);
        assertFalse(s.contains("pcie-root-port"), s);
    }

    @Test
    public void aarch64UsesVirtWithPl011AndHotplugPorts() {
        MachineSpec spec = MachineSpec.builder(Arch.AARCH64).kernel(Path.of("/k")).hotplugSlots(2).build();
        List<String> a = QemuCommand.build(spec, Accelerator.TCG, layout(0, 0));
        String s = joined(a);
        assertEquals(a.get(0), "qemu-system-aarch64");
        assertTrue(s.contains("-M virt -cpu cortex-a57"), s);
        assertEquals(a.get(a.indexOf("-append") + 1), "console=ttyAMA0 panic=-1 kpti=0");
        assertFalse(a.contains("-initrd"));
        assertTrue(s.contains("pcie-root-port,id=hotplug0,chassis=1") && s.contains("pcie-root-port,id=hotplug1,chassis=2"), s);
    }

    @Test
    public void disksGoThroughOverlaysWithSerials() {
        MachineSpec spec = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k"))
                .disk(Disk.raw(Path.of("/images/root.img"), "root").asReadOnly())
                .emptyDisk(EmptyDisk.ofMiB("scratch", 16)).nic(Nic.numbered(0)).display(Display.VGA).build();
        String s = joined(QemuCommand.build(spec, Accelerator.TCG, layout(1, 1)));
        assertTrue(s.contains("driver=qcow2,node-name=disk0,read-only=on,file.driver=file,file.filename=/tmp/ihm-1/disk-root.qcow2"), s);
        assertTrue(s.contains("virtio-blk-pci,drive=disk0,id=disk-root,serial=root"), s);
        assertTrue(s.contains("virtio-blk-pci,drive=disk1,id=disk-scratch,serial=scratch"), s);
        assertFalse(s.contains("/images/root.img"), "the base image must never reach QEMU: " + s);
        assertTrue(s.contains("-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56"), s);
        assertTrue(s.contains("-device VGA"), s);
    }

    @Test
    public void commasInPathsAreDoubled() {
        assertEquals(QemuCommand.opt(Path.of("/a,b/c")), "/a,,b/c");
    }

    @Test
    public void terminalReplayPutsTheConsoleOnStdioAndRunsAtOnce() {
        MachineSpec spec = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k")).build();
        List<String> t = QemuCommand.forTerminal(QemuCommand.build(spec, Accelerator.TCG, layout(0, 0)));
        String s = joined(t);
        assertFalse(t.contains("-S"));
        assertFalse(s.contains("console.sock"), s);
        assertTrue(s.contains("-chardev stdio,id=console,mux=on,signal=off -mon chardev=console,mode=readline -serial chardev:console"), s);
    }

    @Test
    public void specRefusesWhatCannotWork() {
        MachineSpec.Builder b = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k"));
        expectThrows(IllegalArgumentException.class, () -> Disk.raw(Path.of("/x"), "a serial with spaces"));
        expectThrows(IllegalArgumentException.class, () -> Disk.raw(Path.of("/x"), "123456789012345678901"));
        IllegalArgumentException twice = expectThrows(IllegalArgumentException.class, () -> b
                .disk(Disk.raw(Path.of("/x"), "root")).disk(Disk.raw(Path.of("/y"), "root")).build());
        assertTrue(twice.getMessage().contains("'root'"), twice.getMessage());
        IllegalArgumentException missing = expectThrows(IllegalArgumentException.class,
                () -> MachineSpec.builder(Arch.AARCH64).kernel(Path.of("/no/kernel")).build().checkFiles());
        assertTrue(missing.getMessage().contains("kernel /no/kernel"), missing.getMessage());
        expectThrows(NullPointerException.class, () -> MachineSpec.builder(Arch.X86_64).build());
    }

    @Test
    public void timeoutsScaleWithTheAcceleratorAndTheSpec() {
        Timeouts t = Timeouts.of(Accelerator.KVM, 2.0);
        assertEquals(t.factor(), 0.6 * Timeouts.override(), 1e-9);
        assertEquals(new Timeouts(2.5).scale(java.time.Duration.ofSeconds(10)).toMillis(), 25_000);
    }

    @Test
    public void pvhLoadsTheVmlinuxInsteadOfTheBzImage() {
        MachineSpec spec = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/boot/vmlinuz")).build();
        List<String> a = QemuCommand.build(spec, Accelerator.TCG, layout(0, 0),
                new org.initrdharness.vm.kernel.KernelBoot(Path.of("/cache/vmlinux/ab.vmlinux"), KernelEntry.PVH, "test"));
        assertEquals(a.get(a.indexOf("-kernel") + 1), "/cache/vmlinux/ab.vmlinux");
        List<String> b = QemuCommand.build(spec, Accelerator.TCG, layout(0, 0));
        assertEquals(b.get(b.indexOf("-kernel") + 1), "/boot/vmlinuz");
    }

    @Test
    public void tpmIsTisOnX86AndItsSysbusVariantOnVirt() {
        QemuCommand.Layout withTpm = new QemuCommand.Layout(SCRATCH.resolve("console.sock"), SCRATCH.resolve("qmp.sock"),
                List.of(), List.of(), null, SCRATCH.resolve("swtpm.sock"));
        for (Arch arch : Arch.values()) {
            MachineSpec spec = MachineSpec.builder(arch).kernel(Path.of("/k")).tpm(Path.of("/state/tpm")).build();
            String s = joined(QemuCommand.build(spec, Accelerator.TCG, withTpm));
            assertTrue(s.contains("-chardev socket,id=chrtpm,path=/tmp/ihm-1/swtpm.sock -tpmdev emulator,id=tpm0,chardev=chrtpm"), s);
            String device = arch == Arch.X86_64 ? "-device tpm-tis,tpmdev=tpm0" : "-device tpm-tis-device,tpmdev=tpm0";
            assertTrue(s.contains(device), s);
            assertFalse(joined(QemuCommand.build(spec.toBuilder().tpm(null).build(), Accelerator.TCG, withTpm)).contains("tpm"));
        }
        MachineSpec noSocket = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k")).tpm(Path.of("/state/tpm")).build();
        expectThrows(IllegalArgumentException.class, () -> QemuCommand.build(noSocket, Accelerator.TCG, layout(0, 0)));
    }

    @Test
    public void aForwardedPortIsAHostfwdOnLocalhostOnly() throws Exception {
        Nic nic = Nic.numbered(0).forwardingFreePortTo(22);
        int port = nic.forwards().get(0).hostPort();
        MachineSpec spec = MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k")).nic(nic).build();
        String s = joined(QemuCommand.build(spec, Accelerator.TCG, layout(0, 0)));
        assertTrue(s.contains("-netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:" + port + "-:22 "), s);
        // The port was free when picked: this process can bind it.
        try (java.net.ServerSocket ss = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(ss.getLocalPort(), port);
        }
        assertFalse(joined(QemuCommand.build(MachineSpec.builder(Arch.X86_64).kernel(Path.of("/k")).nic(Nic.numbered(0)).build(),
                Accelerator.TCG, layout(0, 0))).contains("hostfwd"), "no forward unless asked");
        expectThrows(IllegalArgumentException.class, () -> new Nic.Forward(0, 22));
    }

    @Test
    public void secondConsoleIsTtyS1OrHvc0OnASocketAndTheJournalAVirtioSerialPort() {
        for (Arch arch : Arch.values()) {
            MachineSpec spec = MachineSpec.builder(arch).kernel(Path.of("/k")).build();
            QemuCommand.Layout l = new QemuCommand.Layout(SCRATCH.resolve("console.sock"), SCRATCH.resolve("qmp.sock"),
                    List.of(), List.of(), SCRATCH.resolve("journal.log"), null, SCRATCH.resolve("console2.sock"));
            String s = joined(QemuCommand.build(spec, Accelerator.TCG, l));
            assertTrue(s.contains("-device virtio-serial-pci,id=vserial"), s);
            assertTrue(s.contains("-chardev socket,id=console2,path=/tmp/ihm-1/console2.sock,server=on,wait=off"), s);
            // x86_64: the second -serial is ttyS1; aarch64's virt has one UART, so a virtio console.
            assertTrue(s.contains(arch == Arch.X86_64 ? "-serial chardev:console -chardev" : "-serial chardev:console "), s);
            assertTrue(s.contains(arch == Arch.X86_64 ? "-serial chardev:console2"
                    : "-device virtconsole,bus=vserial.0,chardev=console2,name=console2"), s);
            assertTrue(s.contains("-chardev file,id=journal,path=/tmp/ihm-1/journal.log -device virtserialport,bus=vserial.0,"
                    + "chardev=journal,name=org.initrdharness.journal"), s);
        }
    }
}
