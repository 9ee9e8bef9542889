package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.ServedFileSpec;
import org.paravane.vmm.linux.fs.MountSpec;
import org.paravane.vmm.source.SourceSpec;

class RunCommandLineTest {
    private static final UnaryOperator<String> HOST = Map.of("TERM", "xterm-256color")::get;

    private static RunCommandLine parse(String... args) {
        return RunCommandLine.parse(List.of(args), HOST);
    }

    private static void refused(String message, String... args) {
        assertThatThrownBy(() -> parse(args)).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(CommandStatus.USAGE)).hasMessageContaining(message);
    }

    @Test
    void optionsBeforeTheProgramAreParavanesAndEverythingAfterItIsTheProgramsOwn() {
        RunCommandLine line = parse("--backend", "emulated", "-m", "128M", "-c", "2", "--timeout=30s", "--root", "/srv/r",
                "--rw", "--mount", "/data:/mnt/data:ro", "-v", "/x:/y", "--cpu", "paravane-1", "-e", "A=1", "--env", "TERM",
                "--lazy-file", "/data/big=pattern:7,latency=1ms,size=16M", "-n", "job", "/bin/ls", "-n", "-l", "--backend", "--", "x");
        assertThat(line.backend).isEqualTo("emulated");
        assertThat(line.memoryMiB).isEqualTo(128);
        assertThat(line.vcpus).isEqualTo(2);
        assertThat(line.timeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(line.root).isEqualTo(Path.of("/srv/r"));
        assertThat(line.writableRoot).isTrue();
        assertThat(line.mounts).containsExactly(new MountSpec(Path.of("/data"), "/mnt/data", true),
                new MountSpec(Path.of("/x"), "/y", false));
        assertThat(line.cpuModel).isEqualTo("paravane-1");
        assertThat(line.lazyFiles).containsExactly(new ServedFileSpec("/data/big", SourceSpec.parse("pattern:7,latency=1ms"),
                16L << 20, -1));
        assertThat(line.env).containsExactly(Map.entry("A", "1"), Map.entry("TERM", "xterm-256color"));
        assertThat(line.name).isEqualTo("job");
        assertThat(line.program).isEqualTo("/bin/ls");
        assertThat(line.rest).containsExactly("-n", "-l", "--backend", "--", "x");
    }

    @Test
    void doubleDashEndsTheOptionsSoAProgramMayStartWithADash() {
        RunCommandLine line = parse("--detach", "--", "-weird", "a");
        assertThat(line.detach).isTrue();
        assertThat(line.program).isEqualTo("-weird");
        assertThat(line.rest).containsExactly("a");
    }

    @Test
    void paravaneImagesMixOptionsAndImagesAsBefore() {
        RunCommandLine line = parse("scanner:1", "worker:30", "--vcpus", "2", "--source", "pattern:11", "-d", "384K",
                "--policy", "halt", "kscan:0", "-a", "5");
        assertThat(line.imagesAndOptions(HOST)).containsExactly("scanner:1", "worker:30", "kscan:0");
        assertThat(line.vcpus).isEqualTo(2);
        assertThat(line.source).isNotNull();
        assertThat(line.dataSize).isEqualTo(384 << 10);
        assertThat(line.policy).isEqualTo(WaitPolicy.HALT_EVERYWHERE);
        assertThat(line.argument).isEqualTo(5);
    }

    @Test
    void badOptionsAreUsageErrorsNamingThem() {
        refused("no program to run", "--backend", "emulated");
        refused("unknown option --frobnicate", "--frobnicate", "ls");
        refused("unknown option -x", "-x", "ls");
        refused("--memory needs a value", "--memory");
        refused("--memory 'lots' is not a size", "--memory", "lots", "ls");
        refused("--vcpus: 'two' is not a whole number", "--vcpus", "two", "ls");
        refused("--vcpus: '0' must be at least 1", "--vcpus", "0", "ls");
        refused("--timeout 'soon' is not a duration", "--timeout", "soon", "ls");
        refused("--mount: mount 'nocolon' is not host:guest[:ro]", "--mount", "nocolon", "ls");
        refused("--mount: mount point rel must be an absolute path", "--mount", "/a:rel", "ls");
        refused("--mount: mount '/a:/b:rx': option 'rx' is neither ro nor rw", "--mount", "/a:/b:rx", "ls");
        refused("--env: HOME is not set here", "--env", "HOME", "ls");
        refused("--env: '=x' is not NAME=VALUE or NAME", "--env", "=x", "ls");
        refused("--rw takes no value", "--rw=yes", "ls");
        refused("--policy", "--policy", "sometimes", "ls");
        refused("--lazy-file: lazy file 'x' is not <guest path>=<source>", "--lazy-file", "x", "ls");
        refused("--lazy-file: mount point data must be an absolute path", "--lazy-file", "data=pattern", "ls");
        refused("--lazy-file: page source 'frob:1': unknown kind 'frob'", "--lazy-file", "/d=frob:1", "ls");
        refused("--lazy-file: lazy file '/d=pattern,size=lots': size 'lots' is not a positive number of bytes",
                "--lazy-file", "/d=pattern,size=lots", "ls");
        refused("--option: 'translation=false' is not backend.key=value", "--option", "translation=false", "ls");
        refused("--option: 'emulated.translation' is not backend.key=value", "-o", "emulated.translation", "ls");
        refused("--option: '.x=1' is not backend.key=value", "--option=.x=1", "ls");
    }

    @Test
    void backendOptionsAreCollectedByKeyTheLastOneWinning() {
        RunCommandLine line = parse("--option", "emulated.translation=false", "-o", "emulated.translationThreshold=0",
                "--option=kvm.x=a=b", "-o", "emulated.translation=true", "/bin/true", "-o", "mine");
        assertThat(line.backendOptions).containsExactly(Map.entry("emulated.translation", "true"),
                Map.entry("emulated.translationThreshold", "0"), Map.entry("kvm.x", "a=b"));
        assertThat(line.rest).as("after the program, the program's own").containsExactly("-o", "mine");
    }
}
