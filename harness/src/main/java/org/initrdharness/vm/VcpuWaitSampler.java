package org.initrdharness.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.milestones.HostWait;

/**
 * Samples, five times a second, how long QEMU's vCPU threads have waited on a host run queue
 * ({@code /proc/PID/task/TID/schedstat}: run time, then wait) and how long they ran. QEMU names those threads "CPU n/TCG" or
 * "CPU n/KVM" when started with {@code -name ...,debug-threads=on}; with several vCPUs the one that
 * waited most counts, since the boot's critical path may run on any of them. Where the kernel
 * does not show schedstat, or the threads have no such names, it records nothing.
 */
final class VcpuWaitSampler implements AutoCloseable {
    private static final long PERIOD_MS = 200;

    private final long pid;
    private final Timeline timeline;
    private final List<HostWait.Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    private List<Path> vcpus = List.of();
    private double first = Double.NaN;
    private double firstRan;

    private VcpuWaitSampler(long pid, Timeline timeline) {
        this.pid = pid;
        this.timeline = timeline;
        this.thread = new Thread(this::run, "vcpu-wait-" + pid);
        thread.setDaemon(true);
    }

    static VcpuWaitSampler start(long pid, Timeline timeline) {
        VcpuWaitSampler s = new VcpuWaitSampler(pid, timeline);
        s.sample();
        s.thread.start();
        return s;
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (!sample()) return;
        }
    }

    /** One reading; false once QEMU is gone. */
    private boolean sample() {
        if (vcpus.isEmpty()) vcpus = vcpuThreads();
        if (vcpus.isEmpty()) return Files.isDirectory(Path.of("/proc", Long.toString(pid)));
        double waited = -1;
        double ran = 0;
        for (Path stat : vcpus) {
            try {
                String[] f = Files.readString(stat).trim().split("\\s+");
                double w = Long.parseLong(f[1]) / 1e9;
                if (w > waited) {
                    waited = w;
                    ran = Long.parseLong(f[0]) / 1e9;
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        double now = timeline.now();
        synchronized (samples) {
            if (Double.isNaN(first)) {
                first = waited;
                firstRan = ran;
            }
            samples.add(new HostWait.Sample(now, waited - first, ran - firstRan));
        }
        return true;
    }

    private List<Path> vcpuThreads() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith("CPU ") && Files.isReadable(task.resolve("schedstat"))) {
                        out.add(task.resolve("schedstat"));
                    }
                } catch (IOException e) {
                    // thread ended
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

    /** The samples so far. */
    HostWait samples() {
        synchronized (samples) {
            return new HostWait(samples);
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
