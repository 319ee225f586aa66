package org.initrdharness.stage1;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.vm.Arch;

/**
 * What a stage 1 is built from: a sysroot and the kernel's module directory. The default comes
 * from the vm-images module when it is on the class path (the harness does not depend on it, so
 * it is looked up by name).
 */
public record Stage1Inputs(Arch arch, Path sysroot, Path modulesDir) {
    static final String VM_IMAGES = "org.initrdharness.images.VmImages";
    static final String PROGRESS = "org.initrdharness.images.Progress";

    /**
     * The default vm-images of {@code arch}, built when missing; {@code cache} null means the
     * default cache directory.
     */
    public static Stage1Inputs fromImages(Arch arch, Path cache) {
        try {
            Class<?> images = Class.forName(VM_IMAGES);
            Object guest;
            if (cache == null) {
                guest = images.getMethod("ensure", Arch.class).invoke(null, arch);
            } else {
                Class<?> progress = Class.forName(PROGRESS);
                Object stderr = progress.getMethod("stderr").invoke(null);
                guest = images.getMethod("ensure", Arch.class, Path.class, progress).invoke(null, arch, cache, stderr);
            }
            Method sysroot = guest.getClass().getMethod("sysroot");
            Method modules = guest.getClass().getMethod("modules");
            return new Stage1Inputs(arch, (Path) sysroot.invoke(guest), (Path) modules.invoke(guest));
        } catch (ClassNotFoundException e) {
            throw new InitrdBuildException("the vm-images module is not on the class path: pass --sysroot and"
                    + " --kernel-modules, or run the initrd-harness launcher (it has every module)", e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new InitrdBuildException("building the " + arch + " vm-images failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new InitrdBuildException("vm-images has no " + VM_IMAGES + ".ensure(Arch) returning sysroot()"
                    + " and modules(): " + e, e);
        }
    }
}
