package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.LinuxPrograms.run;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * Unmodified static Linux programs (glibc -static, -static-pie, musl -static) as guest tasks, end to end on a
 * backend; subclasses pick it.
 */
abstract class LinuxProcessTest {
    final GuestStack stack = stack();

    abstract GuestStack stack();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "hello-pie", "hello-musl"})
    void helloPrintsItsGreeting(String program) throws Exception {
        LinuxPrograms.Run r = run(stack, FileSystem.Options.emptyRoot(), program);
        assertThat(r.task().failure()).isNull();
        assertThat(r.stdout()).isEqualTo("hello, world\n");
        assertThat(r.exitCode()).isZero();
    }
}
