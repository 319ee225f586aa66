package org.initrdharness.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.journal.UnitTimeline;
import org.initrdharness.replay.BootInput;
import org.initrdharness.replay.BootManifest;
import org.initrdharness.report.BootArtifacts;
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.ReplayScript;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.milestones.HostWait;
import org.initrdharness.report.milestones.InitrdStats;
import org.initrdharness.report.profile.InitrdUnits;
import org.initrdharness.report.profile.Stage1Profile;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.kernel.KernelBoot;
import org.initrdharness.vm.kernel.PvhKernels;
import org.initrdharness.vm.qmp.Qmp;
import org.initrdharness.vm.qmp.QmpEvent;
import org.initrdharness.vm.qmp.QmpException;
import org.initrdharness.vm.tpm.Swtpm;

/**
 * A running guest: QEMU for a {@link MachineSpec}, its {@link Console} and {@link Qmp}. Use it in
 * try-with-resources: {@link #close()} always ends QEMU. No QEMU outlives its machine, nor the
 * JVM: a shutdown hook kills what is left, and QEMU runs under a wrapper that kills it when the
 * JVM's pipe to it closes, which covers SIGKILL too.
 *
 * <pre>{@code
 * try (Machine m = new Machine(spec).start()) {
 *     m.console().expect("Welcome");
 *     ShellResult r = m.console().shell().run("cat /proc/cmdline");
 * }
 * }</pre>
 */
public final class Machine implements AutoCloseable {

    /** How long QEMU may take to open its sockets, before scaling. */
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private static final Set<Machine> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Machine::kill), "machines-kill"));
    }

    private final MachineSpec spec;
    private final String where;
    private boolean started;
    private boolean closed;
    private Path artifactDir;
    private BootArtifacts artifacts;
    private Path scratch;
    private AcceleratorProbe.Choice accel;
    private Timeouts timeouts;
    private KernelBoot kernelBoot;
    private Timeline timeline;
    private List<String> command;
    private BootManifest manifest;
    private final List<BootInput> hotplugInputs = new ArrayList<>();
    private QemuProcess process;
    private VcpuWaitSampler hostWait;
    private Swtpm tpm;
    private SocketChannel consoleChannel;
    private Console console;
    private SocketChannel secondChannel;
    private Console secondConsole;
    private Qmp qmp;
    private final Map<String, String> hotplugged = new LinkedHashMap<>();

    public Machine(MachineSpec spec) {
        this.spec = spec;
        this.where = spec.arch().id() + (spec.name().equals("machine") ? "" : " " + spec.name());
    }

    /** Starts a machine for {@code spec}. */
    public static Machine start(MachineSpec spec) throws IOException {
        return new Machine(spec).start();
    }

    /**
     * Starts QEMU and connects the console and QMP before the guest runs its first instruction.
     * Starting twice is harmless.
     *
     * @throws IOException when QEMU does not start; the message holds QEMU's own words
     */
    public synchronized Machine start() throws IOException {
        if (started) return this;
        if (closed) throw new IllegalStateException(where + ": machine already closed");
        started = true;
        spec.checkFiles();
        try {
            artifactDir = spec.artifactDir() != null ? Files.createDirectories(spec.artifactDir())
                    : Files.createTempDirectory("initrd-harness-" + spec.arch().id() + "-" + spec.name() + "-");
            artifacts = new BootArtifacts(artifactDir);
            // A reused directory: an earlier boot's journal must not pass for this one's.
            Files.deleteIfExists(artifacts.journal());
            Files.deleteIfExists(artifacts.unitTimeline());
            Files.deleteIfExists(artifactDir.resolve(HostWait.FILE));
            Files.deleteIfExists(artifacts.secondConsoleLog());
            try (var old = Files.list(artifactDir)) {
                for (Path f : old.filter(f -> f.getFileName().toString().startsWith(BootRecord.TPM_STATE_PREFIX)).toList()) {
                    Files.deleteIfExists(f);
                }
            }
            // Unix socket paths are limited to 108 bytes: sockets and overlays live in a short /tmp path.
            scratch = Files.createTempDirectory(Path.of("/tmp"), "ihm-");
            accel = AcceleratorProbe.choose(spec);
            timeouts = Timeouts.of(accel.accelerator(), spec);

            List<List<String>> setup = new ArrayList<>();
            List<Path> overlays = new ArrayList<>();
            for (Disk d : spec.disks()) {
                Path overlay = scratch.resolve("disk-" + d.serial() + ".qcow2");
                setup.add(QemuImg.createOverlay(d.image(), d.format(), overlay));
                overlays.add(overlay);
            }
            List<Path> empties = new ArrayList<>();
            for (EmptyDisk d : spec.emptyDisks()) {
                Path image = scratch.resolve("empty-" + d.serial() + ".qcow2");
                setup.add(QemuImg.createEmpty(image, d.sizeBytes()));
                empties.add(image);
            }
            Path tpmSocket = spec.tpmState() == null ? null : scratch.resolve("swtpm.sock");
            QemuCommand.Layout layout = new QemuCommand.Layout(scratch.resolve("console.sock"),
                    scratch.resolve("qmp.sock"), overlays, empties, scratch.resolve("journal.log"), tpmSocket,
                    scratch.resolve("console2.sock"));
            // With a TPM's ACPI tables added, a PVH-entered kernel reads the tables as garbage ("ACPI:
            // Interpreter disabled") and finds no TPM: such machines take the bzImage entry unless told.
            KernelEntry entry = spec.kernelEntry() == null && spec.tpmState() != null ? KernelEntry.BZIMAGE : spec.kernelEntry();
            kernelBoot = PvhKernels.inDefaultCache().choose(spec.arch(), spec.kernel(), entry);
            command = QemuCommand.build(spec, accel.accelerator(), layout, kernelBoot);
            List<String> about = new ArrayList<>(List.of(
                    "Boots the " + where + " machine again, as the harness did at " + Instant.now() + ".",
                    "Accelerator: " + accel.accelerator() + " (" + accel.reason() + ").",
                    "Kernel entry: " + kernelBoot.describe() + ".",
                    "The console is on this terminal: Ctrl-A X quits QEMU, Ctrl-A C switches to its monitor.",
                    "Disks boot through fresh overlays in a temporary directory: base images are not written."));
            if (tpmSocket != null) {
                about.add("The TPM needs swtpm running first, in another terminal: "
                        + String.join(" ", Swtpm.command(spec.tpmState(), tpmSocket, artifactDir.resolve("swtpm.log"))));
            }
            ReplayScript.write(artifacts.replayScript(), about,
                    setup, QemuCommand.forTerminal(command), scratch);
            manifest = BootRecord.of(spec, accel.accelerator(), kernelBoot, QemuCommand.forTerminal(command), scratch,
                    artifactDir);
            manifest.write(artifacts.inputs());

            timeline = new Timeline(System.nanoTime());
            LIVE.add(this);
            if (tpmSocket != null) {
                tpm = Swtpm.start(spec.tpmState(), tpmSocket, artifactDir.resolve("swtpm.log"), scratch.resolve("swtpm.pid"),
                        timeouts.deadline(STARTUP));
                timeline.record("tpm", "swtpm started, pid " + tpm.pid().map(String::valueOf).orElse("?") + ", state " + spec.tpmState());
            }
            process = QemuProcess.start(command, artifacts.qemuLog(), scratch.resolve("qemu.pid"));
            timeline.record("qemu", "started on " + accel.accelerator() + " (" + accel.reason() + "), timeouts " + timeouts);
            timeline.record("kernel", "entry " + kernelBoot.describe() + ", image " + kernelBoot.image());
            Deadline startup = timeouts.deadline(STARTUP);
            consoleChannel = connect(layout.consoleSocket(), startup);
            console = new Console(where, consoleChannel, consoleChannel, timeline, timeouts, artifacts.consoleLog());
            console.describeEnd(this::describeExit);
            secondChannel = connect(layout.secondConsoleSocket(), startup);
            secondConsole = new Console(where + " " + spec.arch().secondConsole(), secondChannel, secondChannel, timeline, timeouts,
                    artifacts.secondConsoleLog());
            secondConsole.describeEnd(this::describeExit);
            // A shell's output there is no boot failure: the first console judges the boot.
            for (var p : secondConsole.failurePatterns()) secondConsole.allow(p);
            qmp = Qmp.connect(where, connect(layout.qmpSocket(), startup), layout.qmpSocket(), timeline, timeouts);
            process.pid().ifPresent(pid -> hostWait = VcpuWaitSampler.start(pid, timeline));
            qmp.execute("cont");
            timeline.record("qemu", "guest running, pid " + process.pid().map(String::valueOf).orElse("?"));
            return this;
        } catch (IOException | RuntimeException e) {
            String log = qemuLog();
            close();
            if (e instanceof IOException && !log.isBlank()) {
                throw new IOException(where + ": " + e.getMessage() + "\nQEMU said: " + log.strip(), e);
            }
            throw e;
        }
    }

    /**
     * Connects to one of QEMU's server sockets. QEMU creates the socket file (bind) a moment
     * before it listens, so a refused connection is tried again until the deadline.
     */
    private SocketChannel connect(Path socket, Deadline deadline) throws IOException {
        while (true) {
            if (process.hasExited()) {
                throw new IOException("QEMU exited at once with status " + process.exitStatus().orElse(-1)
                        + " (command in " + artifacts.replayScript() + ")");
            }
            if (Files.exists(socket)) {
                try {
                    return SocketChannel.open(UnixDomainSocketAddress.of(socket));
                } catch (java.net.ConnectException refused) {
                    // not listening yet
                }
            }
            if (deadline.expired()) {
                throw new IOException("QEMU did not open " + socket.getFileName() + " within "
                        + timeouts.scale(STARTUP).toSeconds() + " s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while QEMU started");
            }
        }
    }

    private String qemuLog() {
        try {
            return artifacts == null || !Files.exists(artifacts.qemuLog()) ? "" : Files.readString(artifacts.qemuLog());
        } catch (IOException e) {
            return "";
        }
    }

    private String describeExit() {
        if (process == null) return "QEMU not started";
        process.awaitExit(Duration.ofSeconds(2));
        StringBuilder sb = new StringBuilder();
        OptionalInt s = process.exitStatus();
        sb.append(s.isPresent() ? "QEMU exited with status " + s.getAsInt() : "console closed, QEMU still running");
        if (qmp != null) {
            for (QmpEvent e : qmp.events()) {
                if (e.name().equals("SHUTDOWN") || e.name().equals("GUEST_PANICKED")) sb.append(", ").append(e);
            }
        }
        String log = qemuLog().strip();
        if (!log.isEmpty()) sb.append("; QEMU said: ").append(log.lines().reduce((a, b) -> b).orElse(""));
        return sb.toString();
    }

    public MachineSpec spec() { return spec; }

    /** "x86_64" or "x86_64 name": how messages name this machine. */
    public String where() { return where; }

    public Console console() { requireStarted(); return console; }

    public Qmp qmp() { requireStarted(); return qmp; }

    /** The second console ({@link Arch#secondConsole()}), where stage 1's break shells read and write. */
    public Console secondConsole() { requireStarted(); return secondConsole; }

    /**
     * Waits (scaled) until the harness's stage 1 stops at {@code point} (booted with
     * {@link Breakpoint#kernelArgument()}) and returns its shell on the second console.
     *
     * @throws BootFailure when stage 1 does not stop there in time, or the guest ends
     */
    public BreakShell breakShell(Breakpoint point, Duration timeout) {
        requireStarted();
        return BreakShell.await(this, point, timeouts.deadline(timeout));
    }

    /** The same with a deadline already running. */
    public BreakShell breakShell(Breakpoint point, Deadline deadline) {
        requireStarted();
        return BreakShell.await(this, point, deadline);
    }

    public Accelerator accelerator() { requireStarted(); return accel.accelerator(); }

    /** Why this accelerator. */
    public String acceleratorReason() { requireStarted(); return accel.reason(); }

    public Timeouts timeouts() { requireStarted(); return timeouts; }

    /** The kernel image QEMU loaded and how it entered it. */
    public KernelBoot kernelBoot() { requireStarted(); return kernelBoot; }

    public Timeline timeline() { requireStarted(); return timeline; }

    public BootArtifacts artifacts() { requireStarted(); return artifacts; }

    /** QEMU's command line as started. */
    public List<String> command() { requireStarted(); return command; }

    /** QEMU's process id. */
    public Optional<Long> pid() { return process == null ? Optional.empty() : process.pid(); }

    /** QEMU's exit status once it has exited (0 after a guest power-off or reboot, 1 after a pvpanic, 137 after kill). */
    public OptionalInt exitStatus() { return process == null ? OptionalInt.empty() : process.exitStatus(); }

    public boolean isRunning() { return process != null && !process.hasExited(); }

    private void requireStarted() {
        if (!started || timeline == null) throw new IllegalStateException(where + ": machine not started; call start()");
    }

    /** Waits up to {@code timeout} (scaled) for QEMU to exit; true if it did. */
    public boolean awaitExit(Duration timeout) {
        requireStarted();
        return process.awaitExit(timeouts.scale(timeout));
    }

    /**
     * Presses the power button and waits up to {@code timeout} (scaled) for the guest to power
     * off; kills QEMU if it does not. Returns QEMU's exit status.
     */
    public int shutdown(Duration timeout) {
        requireStarted();
        if (isRunning()) {
            try {
                qmp.systemPowerdown();
            } catch (QmpException e) {
                timeline.record("qemu", "power-down refused: " + e.getMessage());
            }
            if (!awaitExit(timeout)) {
                timeline.record("qemu", "no power-off within " + timeouts.scale(timeout).toSeconds() + " s: killing QEMU");
                kill();
            }
        }
        return exitStatus().orElse(-1);
    }

    /** Kills QEMU at once (SIGKILL). */
    /** swtpm's pid while the machine has a TPM ({@link MachineSpec#tpmState()}), or empty. */
    public Optional<Long> tpmPid() {
        return tpm == null ? Optional.empty() : tpm.pid();
    }

    public void kill() {
        if (process != null && !process.hasExited()) {
            process.kill();
            if (timeline != null) timeline.record("qemu", "killed");
        }
    }

    /**
     * Hot-plugs {@code disk} through a fresh overlay (on aarch64 into a free PCIe port). Returns
     * the device id for {@link #unplug}.
     */
    public synchronized String hotplug(Disk disk) throws IOException {
        requireStarted();
        String id = "hp-" + disk.serial();
        if (hotplugged.containsKey(id)) throw new IllegalStateException(where + ": disk " + id + " is already plugged");
        String bus = null;
        if (spec.arch() == Arch.AARCH64) {
            for (int i = 0; i < spec.hotplugSlots() && bus == null; i++) {
                if (!hotplugged.containsValue(QemuCommand.hotplugPort(i))) bus = QemuCommand.hotplugPort(i);
            }
            if (bus == null) {
                throw new IllegalStateException(where + ": no free PCIe port for disk " + disk.serial()
                        + ": give the spec more hotplugSlots (has " + spec.hotplugSlots() + ")");
            }
        }
        Path overlay = scratch.resolve("hotplug-" + disk.serial() + "-" + System.nanoTime() + ".qcow2");
        QemuImg.createOverlay(disk.image(), disk.format(), overlay);
        hotplugInputs.add(BootRecord.input("hotplug-" + disk.serial(), "hotplug-disk", disk.image(), disk.format()));
        qmp.hotplugDisk(id, overlay, DiskFormat.QCOW2, disk.serial(), disk.readOnly(), bus);
        hotplugged.put(id, bus == null ? "" : bus);
        return id;
    }

    /** Writes a screendump to the artifact directory as NAME.png and returns its path. */
    public Path screenshot(String name) throws IOException {
        requireStarted();
        Path png = artifacts.screenshot(name);
        qmp.screendump(png);
        return png;
    }

    /** Unplugs a hot-plugged disk; the guest must let go of it within {@code timeout} (scaled). */
    public synchronized void unplug(String id, Duration timeout) throws IOException {
        requireStarted();
        qmp.unplugDisk(id, timeout);
        hotplugged.remove(id);
    }

    /** Ends QEMU (QMP quit, then SIGKILL if it lingers), closes the console and QMP, writes the timeline. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (hostWait != null) hostWait.close();
            if (process != null) {
                if (!process.hasExited()) {
                    if (qmp != null && !qmp.isClosed()) {
                        try {
                            qmp.quit();
                        } catch (QmpException e) {
                            // killed below
                        }
                    }
                    if (!process.awaitExit(Duration.ofSeconds(3))) process.kill();
                }
                process.release();
                process.awaitExit(Duration.ofSeconds(5));
                timeline.record("qemu", "exited with status " + process.exitStatus().orElse(-1));
            }
            if (tpm != null) {
                tpm.close();
                if (timeline != null) timeline.record("tpm", "swtpm ended");
            }
            if (console != null) console.close();
            if (secondConsole != null) secondConsole.close();
            if (secondChannel != null) {
                try {
                    secondChannel.close();
                } catch (IOException e) {
                    // best effort
                }
            }
            if (qmp != null) qmp.close();
            if (consoleChannel != null) {
                try {
                    consoleChannel.close();
                } catch (IOException e) {
                    // best effort
                }
            }
            if (manifest != null) {
                try {
                    manifest.with(console == null ? List.of() : console.typed(), hotplugInputs).write(artifacts.inputs());
                } catch (IOException e) {
                    // evidence only
                }
            }
            if (timeline != null) {
                try {
                    timeline.write(artifacts.timeline());
                } catch (IOException e) {
                    // evidence only
                }
                writeProfile();
                writeJournal();
            }
        } finally {
            LIVE.remove(this);
            deleteScratch();
        }
    }

    /** Stage 1's profile and the boot's milestones from the console log, beside it; a boot without systemd still gets them. */
    private void writeProfile() {
        try {
            if (kernelBoot == null || !Files.isRegularFile(artifacts.consoleLog())) return;
            Stage1Profile profile = Stage1Profile.read(artifacts.consoleLog());
            if (spec.initrd() != null && profile.units().stream().anyMatch(u -> u.unit().contains("…"))) {
                // A unit of the initrd's own cut on the console: its unit files name it.
                try {
                    profile = Stage1Profile.read(artifacts.consoleLog(), Stage1Profile.STAGE2_MARKER, InitrdUnits.of(spec.initrd()));
                } catch (IOException | RuntimeException unreadable) {
                    // an initrd this reader cannot list keeps the cut names; the milestones still count
                }
            }
            AtomicFiles.write(artifacts.stage1Profile(), "kernel entry " + kernelBoot.describe() + "\n" + profile.format());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("arch", spec.arch().id());
            json.put("kernelEntry", kernelBoot.entry().id());
            json.putAll(profile.toJson());
            AtomicFiles.write(artifacts.stage1ProfileJson(),
                    out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, json));
            HostWait wait = hostWait == null ? new HostWait(List.of()) : hostWait.samples();
            if (!wait.isEmpty()) wait.write(artifacts.dir());
            BootMilestones.of(profile, ConsoleLogFile.read(artifacts.consoleLog()), timeline.events(),
                    InitrdStats.of(spec.initrd()).orElse(null)).withWait(wait).write(artifacts.dir());
        } catch (IOException | RuntimeException e) {
            // evidence only: a profile that cannot be read must not fail the boot
        }
    }

    /**
     * Copies what stage 1 wrote to the journal port (Arch.journalPort()) so far into the artifact
     * directory as journal.log, with the unit timeline read from it as units.txt; a running
     * machine's failure names them before it is closed. Returns the timeline, or empty when the
     * guest wrote no journal there (an initrd other than the harness's).
     */
    public synchronized Optional<UnitTimeline> saveJournal() {
        try {
            Path journal = scratch == null ? null : scratch.resolve("journal.log");
            if (journal == null || !Files.isRegularFile(journal) || Files.size(journal) == 0) return Optional.empty();
            AtomicFiles.write(artifacts.journal(), Files.readAllBytes(journal));
            UnitTimeline units = UnitTimeline.read(artifacts.journal());
            AtomicFiles.write(artifacts.unitTimeline(), units.format());
            return Optional.of(units);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // evidence only
        }
    }

    /**
     * Waits until the journal port's file has stopped growing for a moment (at most
     * {@code max}, scaled): journalctl forwards a failure's lines a little after the console
     * shows it, and a running machine's failure should be read with them.
     */
    public void settleJournal(Duration max) {
        if (scratch == null || timeouts == null) return;
        Path journal = scratch.resolve("journal.log");
        Deadline deadline = timeouts.deadline(max);
        long last = -1;
        long stableSince = System.nanoTime();
        while (!deadline.expired()) {
            long size;
            try {
                size = Files.isRegularFile(journal) ? Files.size(journal) : 0;
            } catch (IOException e) {
                return;
            }
            if (size != last) {
                last = size;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 500_000_000L) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeJournal() {
        saveJournal();
    }

    private void deleteScratch() {
        if (scratch == null) return;
        try (Stream<Path> s = Files.walk(scratch)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary files only
        }
    }

    @Override
    public String toString() {
        return "Machine[" + where + (artifactDir == null ? "" : ", " + artifactDir) + "]";
    }
}
