package org.paravane.emulated;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the software CPU (PID {@value EmulatedBackend#PID}); applies to VMs created afterwards. */
@ObjectClassDefinition(name = "Paravane software CPU",
        description = "Translation of hot guest blocks to JVM bytecode")
public @interface EmulatedConfiguration {

    @AttributeDefinition(name = "Translation", description = "Translate hot blocks to JVM bytecode (false: interpret "
            + "everything, the kill switch)")
    boolean translation() default true;

    @AttributeDefinition(name = "Hotness threshold", description = "Executions of a block before it is translated "
            + "(0: every block at its first execution)", min = "0")
    int translationThreshold() default 64;

    @AttributeDefinition(name = "Code cache size (KiB)", description = "Most class-file KiB of translations per vCPU; "
            + "beyond it every translation of that vCPU is dropped (its classes unloaded) and hot blocks translate again",
            min = "1")
    int codeCacheKiB() default 16384;
}
