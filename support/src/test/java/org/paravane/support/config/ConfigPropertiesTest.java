package org.paravane.support.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigPropertiesTest {
    enum Mode { FAST, SAFE }

    @Test
    void stringsFromFileInstallAndNumbersFromConfigAdminAreRead() {
        ConfigProperties c = new ConfigProperties("pid", Map.of("a", "12", "b", 7, "m", "safe", "s", " text ",
                "service.pid", "pid", "felix.fileinstall.filename", "file:/x.cfg", "component.id", 3L,
                "guestHandler.target", "(fault.side=guest)", "Backend.cardinality.minimum", 1));
        assertThat(c.number("a", 0, 0, 100)).isEqualTo(12);
        assertThat(c.intNumber("b", 0, 0, 100)).isEqualTo(7);
        assertThat(c.choice("m", Mode.class, Mode.FAST)).isEqualTo(Mode.SAFE);
        assertThat(c.string("s", "")).isEqualTo("text");
        assertThat(c.number("missing", 42, 0, 100)).isEqualTo(42);
        c.validate();
    }

    @Test
    void everyBadValueAndUnknownKeyIsNamedWithWhatIsAllowed() {
        ConfigProperties c = new ConfigProperties("org.example", Map.of("memoryMiB", "abc", "mode", "BOGUS", "size", 5000L,
                "list", List.of("a", "b"), "memoryMb", "64"));
        c.number("memoryMiB", 64, 4, 65536);
        c.choice("mode", Mode.class, Mode.FAST);
        c.number("size", 1, 1, 4096);
        c.string("list", "");
        assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class).hasMessage("invalid configuration org.example: "
                + "memoryMiB = 'abc' (allowed: 4..65536); mode = 'BOGUS' (allowed: FAST, SAFE); size = '5000' (allowed: 1..4096); "
                + "list = '[a, b]' (allowed: one value: text); unknown key 'memoryMb' (keys: memoryMiB, mode, size, list)");
    }

    @Test
    void aParserThatRefusesAValueReportsIt() {
        ConfigProperties c = new ConfigProperties("p", Map.of("k", "x"));
        assertThat(c.parsed("k", 1, "a digit", Integer::parseInt)).isEqualTo(1);
        assertThatThrownBy(c::validate).hasMessage("invalid configuration p: k = 'x' (allowed: a digit)");
    }
}
