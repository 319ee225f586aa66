package org.initrdharness.images.apt;

/**
 * One binary package as apt resolved it.
 *
 * @param arch "amd64", "arm64" or "all"
 */
public record DebPackage(String name, String version, String arch) implements Comparable<DebPackage> {

    public DebPackage {
        if (name.isBlank() || version.isBlank() || arch.isBlank()) {
            throw new IllegalArgumentException("package needs name, version and arch: " + name + " " + version + " " + arch);
        }
    }

    /** What {@code apt-get download} is given: name:arch=version. */
    public String aptSpec() {
        return name + ":" + arch + "=" + version;
    }

    /** The file name {@code apt-get download} writes (the epoch's colon escaped as %3a). */
    public String fileName() {
        return name + "_" + version.replace(":", "%3a") + "_" + arch + ".deb";
    }

    @Override
    public int compareTo(DebPackage o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : arch.compareTo(o.arch);
    }

    @Override
    public String toString() {
        return name + " " + version + " (" + arch + ")";
    }
}
