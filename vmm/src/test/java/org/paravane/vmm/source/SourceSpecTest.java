package org.paravane.vmm.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.paravane.api.memory.PageSource;

class SourceSpecTest {

    @Test
    void parsesKindArgumentLatencyAndBandwidth() {
        SourceSpec s = SourceSpec.parse("pattern:7,latency=1.5ms,bandwidth=100MB/s");
        assertThat(s.kind()).isEqualTo("pattern");
        assertThat(s.argument()).isEqualTo("7");
        assertThat(s.latencyNanos()).isEqualTo(1_500_000);
        assertThat(s.bytesPerSecond()).isEqualTo(100_000_000);
        assertThat(SourceSpec.parse("zero").latencyNanos()).isZero();
        assertThat(SourceSpec.parse("file:/tmp/x,latency=100us").latencyNanos()).isEqualTo(100_000);
    }

    @Test
    void badSpecsNameWhatIsWrong() {
        assertThatThrownBy(() -> SourceSpec.parse("tape:/dev/st0")).hasMessageContaining("unknown kind 'tape'");
        assertThatThrownBy(() -> SourceSpec.parse("file")).hasMessageContaining("file needs a path");
        assertThatThrownBy(() -> SourceSpec.parse("pattern:abc")).hasMessageContaining("seed must be a number");
        assertThatThrownBy(() -> SourceSpec.parse("zero,latency=soon")).hasMessageContaining("latency 'soon' is not a duration");
        assertThatThrownBy(() -> SourceSpec.parse("zero,speed=1")).hasMessageContaining("unknown option 'speed'");
        assertThatThrownBy(() -> SourceSpec.parse("zero,bandwidth=fast")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> SourceSpec.parse(" ")).hasMessageContaining("empty page source");
    }

    @Test
    void patternIsDeterministicPerAddress() throws Exception {
        PageSource a = SourceSpec.parse("pattern:3").open(0x1000_0000L);
        MemorySegment x = MemorySegment.ofArray(new long[512]);
        MemorySegment y = MemorySegment.ofArray(new long[512]);
        a.read(0x1000_2000L, x);
        new PatternPageSource(3).read(0x1000_2000L, y);
        assertThat(x.mismatch(y)).isEqualTo(-1);
        new PatternPageSource(4).read(0x1000_2000L, y);
        assertThat(x.mismatch(y)).isNotEqualTo(-1);
    }

    @Test
    void failAfterInjectsIoErrors() throws Exception {
        PageSource s = SourceSpec.parse("zero,fail-after=1").open(0);
        MemorySegment page = MemorySegment.ofArray(new long[512]);
        s.read(0, page);
        assertThatThrownBy(() -> s.read(4096, page)).hasMessageContaining("page 0x1000").hasMessageContaining("I/O error");
        assertThatThrownBy(() -> SourceSpec.parse("zero,fail-after=x")).hasMessageContaining("fail-after 'x'");
    }

    @Test
    void shapedSourceWaitsAtLeastItsLatency() throws Exception {
        PageSource shaped = new ShapedPageSource(PageSource.ZERO, 20_000_000, 0);
        long t0 = System.nanoTime();
        shaped.read(0, MemorySegment.ofArray(new long[512]));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20_000_000);
        assertThat(shaped.describe()).contains("latency 20000 us");
    }
}
