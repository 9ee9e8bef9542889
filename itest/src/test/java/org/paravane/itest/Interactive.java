package org.paravane.itest;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./paravane} as a user at a terminal has it: run under {@code script}, so the container's standard input is
 * a pseudo-terminal whose line discipline turns a typed Ctrl-C (0x03) into SIGINT for the foreground process group,
 * exactly as a real terminal does. Output (echo included) is collected for {@link #await}.
 */
final class Interactive implements AutoCloseable {
    private final Process process;
    private final OutputStream keyboard;
    private final StringBuffer screen = new StringBuffer();

    Interactive(File root, boolean terminal) throws IOException {
        ProcessBuilder pb = terminal ? new ProcessBuilder("script", "-qfec", "./paravane", "/dev/null")
                : new ProcessBuilder("./paravane");
        process = pb.directory(root).redirectErrorStream(true).start();
        keyboard = process.getOutputStream();
        Thread.ofPlatform().daemon().name("paravane-screen").start(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] b = new byte[4096];
                for (int n; (n = in.read(b)) > 0; ) {
                    screen.append(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                screen.append("\n[screen closed: ").append(e).append(']');
            }
        });
    }

    void type(String text) throws IOException {
        keyboard.write(text.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** Ctrl-C at the terminal. */
    void ctrlC() throws IOException {
        type("\u0003");
    }

    /** Ctrl-D at the terminal: end of input. */
    void endOfInput() throws IOException {
        keyboard.close();
    }

    /** Waits until the screen shows {@code text} after position {@code from}; the position after it. */
    int await(String text, int from, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            int at = screen.indexOf(text, from);
            if (at >= 0) {
                return at + text.length();
            }
            if (!process.isAlive() && screen.indexOf(text, from) < 0) {
                throw new AssertionError("./paravane exited with " + process.exitValue() + " before showing '" + text
                        + "':\n" + screen);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("'" + text + "' not shown in " + timeoutMillis + " ms:\n" + screen);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitForExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("./paravane did not exit in " + timeoutMillis + " ms:\n" + screen);
        }
        return process.exitValue();
    }

    String screen() {
        return screen.toString();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
