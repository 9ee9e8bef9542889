package org.paravane.vmm.kernel;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.paravane.vmm.linux.fs.Console;

/**
 * The console of a Linux process in a VM that names none of its own (no Linux options): stdin is empty, stdout and
 * stderr go where a Paravane task's text goes (its output and the kernel's console).
 */
final class TaskConsole {
    private final KernelConfig.Console kernelConsole;
    private volatile Task task;

    TaskConsole(KernelConfig.Console kernelConsole) {
        this.kernelConsole = kernelConsole;
    }

    void attach(Task t) {
        this.task = t;
    }

    Console asLinuxConsole() {
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                Task t = task;
                String text = new String(b, off, len, StandardCharsets.UTF_8);
                if (t != null) {
                    t.appendOutput(text);
                    kernelConsole.write(t, text);
                }
            }
        };
        return Console.streams(InputStream.nullInputStream(), out, out);
    }
}
