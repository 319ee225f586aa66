package org.initrdharness.initrd.kmod;

import java.nio.file.Path;

/**
 * A firmware file a module may request, found under the firmware directory.
 *
 * @param name         the name the module asks for ("iwlwifi-8000C-36.ucode")
 * @param relativePath where it was found, relative to the firmware directory (may carry
 *                     ".xz"/".zst", or an "updates/" prefix, as the kernel's loader searches)
 * @param source       the file on the host
 * @param module       the module that names it
 */
public record FirmwareFile(String name, String relativePath, Path source, String module) { }
