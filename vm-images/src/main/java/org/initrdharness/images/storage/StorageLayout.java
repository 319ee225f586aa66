package org.initrdharness.images.storage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A storage stack as a value: blank disks, the layers put on them in order, and the root file
 * system holding the stage-2 tree. The provisioning machine runs {@link #script()}; the cache
 * keys the disks by {@link #recipe()}, so a changed layout makes new disks and nothing else.
 *
 * @param name   names the layout in the cache and in reports: "lvm-two-disks"
 */
public record StorageLayout(String name, List<BlankDisk> disks, List<Layer> layers, RootFileSystem root) {
    /** Where the provisioning machine mounts the images' stage-2 disk (read-only). */
    static final String SOURCE = "/mnt/stage2";

    public StorageLayout {
        disks = List.copyOf(disks);
        layers = List.copyOf(layers);
        if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) throw new IllegalArgumentException("layout name '" + name + "'");
        Set<String> serials = new HashSet<>();
        for (BlankDisk d : disks) {
            if (!serials.add(d.serial()) || d.serial().equals(Provisioner.SOURCE_SERIAL)) {
                throw new IllegalArgumentException("layout " + name + ": disk serial '" + d.serial() + "' is taken");
            }
        }
    }

    /** The shell lines that build the stack, fill the root and close the devices again. */
    public List<String> script() {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) out.addAll(l.create());
        out.addAll(root.create(SOURCE));
        for (int i = layers.size() - 1; i >= 0; i--) out.addAll(layers.get(i).close());
        return out;
    }

    /** What the cache keys the disks by: every disk and every line the machine runs. */
    public String recipe() {
        StringBuilder sb = new StringBuilder("layout " + name + "\n");
        for (BlankDisk d : disks) sb.append("disk ").append(d.serial()).append(' ').append(d.sizeMiB()).append("M\n");
        sb.append("root ").append(root).append('\n');
        for (String line : script()) sb.append("run ").append(line).append('\n');
        return sb.toString();
    }
}
