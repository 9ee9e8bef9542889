package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsoleLogTest {

    @Test
    void keepsTheLastLinesAndSaysHowManyWereDropped() {
        ConsoleLog log = new ConsoleLog(3);
        log.write("one\ntwo\nthr");
        log.write("ee\nfour\nfive\n");
        ConsoleLog.Lines all = log.since(0);
        assertThat(all.lines()).containsExactly("three", "four", "five");
        assertThat(all.first()).isEqualTo(2);
        assertThat(all.dropped()).isEqualTo(2);
        assertThat(log.since(4).lines()).containsExactly("five");
        assertThat(log.since(5).lines()).isEmpty();
    }

    @Test
    void anUnfinishedLineIsKeptWhenTheVmEnds() {
        ConsoleLog log = new ConsoleLog(10);
        log.write("no newline");
        assertThat(log.since(0).lines()).isEmpty();
        log.close();
        assertThat(log.since(0).lines()).containsExactly("no newline");
        assertThat(log.since(0).closed()).isTrue();
    }

    @Test
    void aVeryLongLineIsSplit() {
        ConsoleLog log = new ConsoleLog(10);
        log.write("x".repeat(ConsoleLog.MAX_LINE + 5) + "\n");
        List<String> lines = log.since(0).lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).hasSize(ConsoleLog.MAX_LINE);
        assertThat(lines.get(1)).isEqualTo("xxxxx");
    }

    @Test
    void aFollowerIsWokenByNewLinesAndByTheEnd() throws Exception {
        ConsoleLog log = new ConsoleLog(10);
        CompletableFuture<ConsoleLog.Lines> next = CompletableFuture.supplyAsync(() -> {
            try {
                return log.await(0, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        log.write("hello\n");
        assertThat(next.get(30, TimeUnit.SECONDS).lines()).containsExactly("hello");
        CompletableFuture<ConsoleLog.Lines> end = CompletableFuture.supplyAsync(() -> {
            try {
                return log.await(1, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        log.close();
        ConsoleLog.Lines last = end.get(30, TimeUnit.SECONDS);
        assertThat(last.lines()).isEmpty();
        assertThat(last.closed()).isTrue();
    }

    @Test
    void aLongWriteKeepsItsLastLinesAndCountsTheOthers() {
        ConsoleLog log = new ConsoleLog(3);
        StringBuilder text = new StringBuilder("start ");
        for (int i = 0; i < 10_000; i++) {
            text.append("line ").append(i).append('\n');
        }
        byte[] bytes = text.append("tail").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        log.write(bytes, 0, bytes.length);
        log.close();
        ConsoleLog.Lines all = log.since(0);
        assertThat(all.lines()).containsExactly("line 9998", "line 9999", "tail");
        assertThat(all.first()).isEqualTo(9998);
    }

    @Test
    void aCharacterSplitAcrossTwoWritesStaysWhole() {
        ConsoleLog log = new ConsoleLog(3);
        byte[] euro = "€\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        log.write(euro, 0, 1);
        log.write(euro, 1, euro.length - 1);
        assertThat(log.since(0).lines()).containsExactly("€");
    }

    /** What a program writing 1 GiB to stdout leaves in its VM's log: the last lines, nothing more. */
    @Test
    void aGibibyteThroughTheStreamLeavesOnlyTheLastLines() throws Exception {
        ConsoleLog log = new ConsoleLog(1000);
        byte[] chunk = "y\n".repeat(1 << 19).getBytes(java.nio.charset.StandardCharsets.US_ASCII);   // 1 MiB
        try (java.io.OutputStream out = log.stream()) {
            for (int i = 0; i < 1024; i++) {
                out.write(chunk);
            }
        }
        ConsoleLog.Lines all = log.since(0);
        assertThat(all.lines()).hasSize(1000).allMatch("y"::equals);
        assertThat(all.next()).isEqualTo(1024L << 19);
    }
}
