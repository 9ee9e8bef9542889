package org.paravane.itest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** The paravane:* commands as a user types them, with the results parsed back. */
final class ParavaneShell {
    private static final Pattern STATS_ROW = Pattern.compile(
            "^(\\d+)\\s+(\\S+)\\s+(runnable|running|waiting|exited)\\s+\\d\\s+\\d+\\s+\\d+\\s+(-?\\d+|-)\\s*(.*)$", Pattern.MULTILINE);
    private static final Pattern REPORT = Pattern.compile("(\\w+)=0x([0-9a-f]+)");

    private final CommandProcessor processor;

    ParavaneShell(CommandProcessor processor) {
        this.processor = processor;
    }

    /**
     * A shell on {@code processor} once {@code backend} is listed by {@code paravane:backends} (the backends register
     * asynchronously after the container starts; the shell offers no event to wait on, so this asks, within a bound).
     */
    static ParavaneShell whenListed(CommandProcessor processor, String backend) throws Exception {
        ParavaneShell shell = new ParavaneShell(processor);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!shell.exec("paravane:backends").contains(backend) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return shell;
    }

    /** Runs {@code command}; its console output and result, or the command's exception. */
    String exec(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             CommandSession session = processor.createSession(System.in, out, out)) {
            Object result = session.execute(command);
            return bytes.toString(StandardCharsets.UTF_8) + (result == null ? "" : result);
        }
    }

    /** Runs {@code command} expecting it to fail; the failure's message. */
    String fails(String command) throws Exception {
        try {
            String out = exec(command);
            throw new AssertionError("'" + command + "' should have failed but printed: " + out);
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            Throwable t = e;
            while (t.getCause() != null && (t.getMessage() == null || t instanceof java.lang.reflect.InvocationTargetException)) {
                t = t.getCause();
            }
            return String.valueOf(t.getMessage());
        }
    }

    /** Per task name, its exit code and reports, read from {@code paravane:stats vm}. */
    Map<String, Map<String, Long>> results(String vm) throws Exception {
        String stats = exec("paravane:stats " + vm);
        Map<String, Map<String, Long>> out = new TreeMap<>();
        Matcher m = STATS_ROW.matcher(stats);
        while (m.find()) {
            Map<String, Long> r = new TreeMap<>();
            r.put("exit", m.group(4).equals("-") ? Long.MIN_VALUE : Long.parseLong(m.group(4)));
            Matcher rep = REPORT.matcher(m.group(5));
            while (rep.find()) {
                if (!rep.group(1).equals("nanos")) {
                    r.put(rep.group(1), Long.parseUnsignedLong(rep.group(2), 16));
                }
            }
            out.put(m.group(1) + ":" + m.group(2), r);
        }
        if (out.isEmpty()) {
            throw new AssertionError("no tasks in the stats of " + vm + ":\n" + stats);
        }
        return out;
    }

    /** The state column of {@code vm} in {@code paravane:vms}, or null when it is not listed. */
    String state(String vm) throws Exception {
        for (String line : exec("paravane:vms").lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 3 && cols[0].equals(vm)) {
                return cols[2];
            }
        }
        return null;
    }

    String backend(String vm) throws Exception {
        for (String line : exec("paravane:vms").lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 3 && cols[0].equals(vm)) {
                return cols[1];
            }
        }
        return null;
    }

    /** Waits until {@code vm} has ended (finished, stopped or failed); its final state. */
    String awaitEnd(String vm, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            String s = state(vm);
            if (s != null && (s.equals("finished") || s.equals("stopped") || s.equals("failed"))) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("VM " + vm + " did not end in " + timeoutMillis + " ms:\n" + exec("paravane:stats " + vm));
    }

    /** The async-PF line counter {@code name} ("schedule waits", "halt waits") of {@code vm}'s stats. */
    long asyncPfCounter(String vm, String name) throws Exception {
        Matcher m = Pattern.compile("(\\d+) " + name).matcher(exec("paravane:stats " + vm));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
