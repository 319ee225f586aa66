package org.initrdharness.vm.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An asynchronous QMP event.
 *
 * @param name    SHUTDOWN, RESET, GUEST_PANICKED, DEVICE_DELETED, ...
 * @param data    its data object (an empty object when it has none)
 * @param seconds when it arrived, seconds since QEMU started
 */
public record QmpEvent(String name, JsonNode data, double seconds) {
    @Override
    public String toString() {
        return name + (data.isEmpty() ? "" : " " + data);
    }
}
