package org.initrdharness.initrd.kmod;

import static org.testng.Assert.assertEquals;

import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Alias patterns match as fnmatch(3) does. */
public class GlobTest {
    @DataProvider
    public Object[][] cases() {
        return new Object[][] {
            {"virtio:d00000002v*", "virtio:d00000002v00001AF4", true},
            {"virtio:d00000002v*", "virtio:d00000003v00001AF4", false},
            {"pci:v00001AF4d*sv*sd*bc*sc*i*", "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00", true},
            {"pci:v00001AF4d*sv*sd*bc*sc*i*", "pci:v00008086d00001001sv00001AF4sd00000002bc01sc00i00", false},
            {"usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*", "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00", true},
            {"acpi*:PNP0C0[0-9A-F]:*", "acpi:PNP0C0A:", true},
            {"acpi*:PNP0C0[0-9A-F]:*", "acpi:PNP0C0G:", false},
            {"of:N*T*Carm,pl011", "of:NuartT(null)Carm,pl011", true},
            {"x[!a]y", "xby", true},
            {"x[!a]y", "xay", false},
            {"a?c", "abc", true},
            {"a?c", "ac", false},
            {"*", "", true},
        };
    }

    @Test(dataProvider = "cases")
    public void matchesLikeFnmatch(String pattern, String text, boolean expected) {
        assertEquals(new Glob(pattern, "m").matches(text), expected, pattern + " vs " + text);
    }
}
