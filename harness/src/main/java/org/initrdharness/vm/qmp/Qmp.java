package org.initrdharness.vm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.DiskFormat;
import org.initrdharness.vm.Timeouts;

/**
 * QEMU's machine protocol over a unix socket: commands with their replies, and events kept in
 * order for waits. Helpers cover what tests need: screendumps, disk hot-plug and unplug,
 * power-down, quit.
 */
public final class Qmp implements AutoCloseable {

    /** The deadline of one command before scaling. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String where;
    private final SocketChannel channel;
    private final Timeline timeline;
    private final Timeouts timeouts;
    private final Thread reader;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<QmpEvent> events = new ArrayList<>();
    private final List<QmpEvent> unconsumed = new ArrayList<>();
    private volatile boolean closed;

    private Qmp(String where, SocketChannel channel, Timeline timeline, Timeouts timeouts) {
        this.where = where;
        this.channel = channel;
        this.timeline = timeline;
        this.timeouts = timeouts;
        this.reader = new Thread(this::readLoop, "qmp-" + where);
        reader.setDaemon(true);
    }

    /** Connects to QMP at {@code socket} and negotiates capabilities. */
    /** QMP over a channel already connected to {@code socket}: greeting, then capabilities negotiation. */
    public static Qmp connect(String where, SocketChannel ch, Path socket, Timeline timeline, Timeouts timeouts)
            throws IOException {
        Qmp q = new Qmp(where, ch, timeline, timeouts);
        q.reader.start();
        try {
            q.greeting.get(timeouts.scale(COMMAND_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            q.close();
            throw new QmpException(where + ": no QMP greeting on " + socket + ": " + e, null);
        }
        q.execute("qmp_capabilities");
        return q;
    }

    /** Runs {@code command} without arguments; returns its "return" value. */
    public JsonNode execute(String command) throws QmpException {
        return execute(command, Map.of());
    }

    /**
     * Runs {@code command} with {@code arguments}; returns its "return" value.
     *
     * @throws QmpException when QEMU answers with an error (its class and description in the
     *         message), does not answer in time, or QMP is gone
     */
    public JsonNode execute(String command, Map<String, ?> arguments) throws QmpException {
        String id = "c" + ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("execute", command);
        if (!arguments.isEmpty()) msg.set("arguments", JSON.valueToTree(arguments));
        msg.put("id", id);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            byte[] bytes = (JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (channel) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) channel.write(b);
            }
            JsonNode r = reply.get(timeouts.scale(COMMAND_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
            if (r.has("error")) {
                JsonNode e = r.get("error");
                throw new QmpException(where + ": QMP " + command + " " + JSON.valueToTree(arguments) + " failed: "
                        + e.path("desc").asText(), e.path("class").asText());
            }
            return r.path("return");
        } catch (IOException e) {
            if (e instanceof QmpException q) throw q;
            throw new QmpException(where + ": QMP " + command + " could not be sent: " + e.getMessage(), null);
        } catch (ExecutionException e) {
            throw new QmpException(where + ": QMP " + command + ": " + e.getCause().getMessage(), null);
        } catch (TimeoutException e) {
            throw new QmpException(where + ": QMP " + command + " got no reply within "
                    + timeouts.scale(COMMAND_TIMEOUT).toSeconds() + " s", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(where + ": interrupted during QMP " + command, null);
        } finally {
            pending.remove(id);
        }
    }

    /** Every event so far, in order. */
    public List<QmpEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the first event named {@code name} not taken by an earlier wait, and takes it. */
    public QmpEvent waitForEvent(String name, Duration timeout) throws QmpException {
        return waitForEvent(e -> e.name().equals(name), name, timeout);
    }

    /**
     * Waits for the first untaken event that {@code which} accepts, and takes it.
     *
     * @param what    names the event in the error message
     * @param timeout written for TCG; scaled
     */
    public QmpEvent waitForEvent(Predicate<QmpEvent> which, String what, Duration timeout) throws QmpException {
        Duration scaled = timeouts.scale(timeout);
        long deadline = System.nanoTime() + scaled.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = 0; i < unconsumed.size(); i++) {
                    if (which.test(unconsumed.get(i))) return unconsumed.remove(i);
                }
                if (closed) throw new QmpException(where + ": QMP closed while waiting for event " + what, null);
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new QmpException(where + ": no QMP event " + what + " within " + scaled.toMillis() / 1000.0
                            + " s; events so far: " + events, null);
                }
                arrived.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(where + ": interrupted waiting for event " + what, null);
        } finally {
            lock.unlock();
        }
    }

    /** Writes the screen as a PNG (QEMU's own PNG writer when it has one, else PPM converted here). */
    public void screendump(Path png) throws IOException {
        AtomicFiles.writeTo(png, tmp -> {
            try {
                execute("screendump", Map.of("filename", tmp.toString(), "format", "png"));
            } catch (QmpException e) {
                if (!String.valueOf(e.getMessage()).contains("format")) throw e;
                // QEMU before 7.1 knows only PPM.
                Path ppm = tmp.resolveSibling(tmp.getFileName() + ".ppm");
                try {
                    execute("screendump", Map.of("filename", ppm.toString()));
                    ImageIO.write(Ppm.read(ppm), "png", tmp.toFile());
                } finally {
                    Files.deleteIfExists(ppm);
                }
            }
        });
        timeline.record("qmp", "screendump " + png.getFileName());
    }

    /**
     * Hot-plugs {@code image} as a virtio-blk disk with device id {@code id} and {@code serial}.
     *
     * @param bus the PCIe port to plug into (aarch64 virt), or null for the root bus (x86_64 pc)
     */
    public void hotplugDisk(String id, Path image, DiskFormat format, String serial, boolean readOnly, String bus)
            throws QmpException {
        Map<String, Object> file = Map.of("driver", "file", "filename", image.toString(), "read-only", readOnly);
        execute("blockdev-add", Map.of("driver", format.qemuName(), "node-name", id, "read-only", readOnly, "file", file));
        Map<String, Object> dev = new java.util.LinkedHashMap<>();
        dev.put("driver", "virtio-blk-pci");
        dev.put("id", id);
        dev.put("drive", id);
        dev.put("serial", serial);
        if (bus != null) dev.put("bus", bus);
        try {
            execute("device_add", dev);
        } catch (QmpException e) {
            try {
                execute("blockdev-del", Map.of("node-name", id));
            } catch (QmpException ignored) {
                // the first error is the one to report
            }
            throw e;
        }
        timeline.record("qmp", "hot-plugged disk " + id + " (serial " + serial + ")");
    }

    /** Unplugs the disk {@code id}: asks the guest to release it, waits for DEVICE_DELETED, drops its node. */
    public void unplugDisk(String id, Duration timeout) throws QmpException {
        execute("device_del", Map.of("id", id));
        waitForEvent(e -> e.name().equals("DEVICE_DELETED") && id.equals(e.data().path("device").asText()),
                "DEVICE_DELETED for " + id, timeout);
        execute("blockdev-del", Map.of("node-name", id));
        timeline.record("qmp", "unplugged disk " + id);
    }

    /** Presses the power button (ACPI): a guest that listens shuts down. */
    public void systemPowerdown() throws QmpException {
        execute("system_powerdown");
    }

    /** Ends QEMU now. */
    public void quit() throws QmpException {
        try {
            execute("quit");
        } catch (QmpException e) {
            if (!closed) throw e; // QEMU may close the socket before it replies
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (channel.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        handle(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                buf.clear();
            }
        } catch (ClosedChannelException e) {
            // closed by close()
        } catch (IOException e) {
            timeline.record("qmp", "read failed: " + e);
        } finally {
            closed = true;
            IOException gone = new IOException("QMP connection closed (QEMU exited?)");
            greeting.completeExceptionally(gone);
            pending.values().forEach(f -> f.completeExceptionally(gone));
            lock.lock();
            try {
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void handle(String text) {
        if (text.isBlank()) return;
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (IOException e) {
            timeline.record("qmp", "unreadable message: " + text);
            return;
        }
        if (msg.has("QMP")) {
            greeting.complete(msg);
        } else if (msg.has("event")) {
            QmpEvent e = new QmpEvent(msg.get("event").asText(),
                    msg.has("data") ? msg.get("data") : JSON.createObjectNode(), timeline.now());
            timeline.record(e.seconds(), "qmp-event", e.toString());
            lock.lock();
            try {
                events.add(e);
                unconsumed.add(e);
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        } else if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(msg.get("id").asText());
            if (f != null) f.complete(msg);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // best effort
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
