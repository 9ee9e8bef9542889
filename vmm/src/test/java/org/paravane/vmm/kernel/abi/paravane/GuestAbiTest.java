package org.paravane.vmm.kernel.abi.paravane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java side of the guest ABI must say exactly what guests/include/paravane.h says. */
class GuestAbiTest {

    static Map<String, Long> headerDefines() throws Exception {
        try (InputStream in = GuestAbiTest.class.getResourceAsStream("/guests/paravane.h")) {
            assertThat(in).as("guests/paravane.h on the class path").isNotNull();
            String header = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            Map<String, Long> defines = new HashMap<>();
            Matcher m = Pattern.compile("#define\\s+PV_(\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)(UL|u)?").matcher(header);
            while (m.find()) {
                String v = m.group(2);
                defines.put(m.group(1), v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v));
            }
            return defines;
        }
    }

    @Test
    void everyJavaConstantMatchesTheHeader() throws Exception {
        Map<String, Long> header = headerDefines();
        Map<String, String> javaToHeader = Map.ofEntries(
                Map.entry("EPERM", "EPERM"), Map.entry("EFAULT", "EFAULT"), Map.entry("EINVAL", "EINVAL"),
                Map.entry("ENOSYS", "ENOSYS"), Map.entry("TEXT_VA", "TEXT_VA"), Map.entry("INFO_VA", "INFO_VA"),
                Map.entry("STACK_TOP", "STACK_TOP"), Map.entry("STACK_SIZE", "STACK_SIZE"), Map.entry("DATA_VA", "DATA_VA"),
                Map.entry("INFO_MAGIC", "INFO_MAGIC"), Map.entry("NOTE_IMAGE", "NOTE_IMAGE"),
                Map.entry("IMAGE_KERNEL_TASK", "IMAGE_KERNEL_TASK"));
        for (Field f : GuestAbi.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() == String.class || f.getName().startsWith("INFO_")
                    && !f.getName().equals("INFO_VA") && !f.getName().equals("INFO_MAGIC")) {
                continue;
            }
            String key = javaToHeader.get(f.getName());
            assertThat(key).as("GuestAbi.%s has a header counterpart", f.getName()).isNotNull();
            assertThat(((Number) f.get(null)).longValue()).as("PV_%s", key).isEqualTo(header.get(key));
        }
        assertThat(header).containsKeys(javaToHeader.values().toArray(String[]::new));
    }

    @Test
    void everyHypercallHasTheHeadersNumberAndTheHeaderNoOtherOne() throws Exception {
        Map<String, Long> header = headerDefines();
        for (Hypercall h : Hypercall.values()) {
            assertThat(header.get("HC_" + h.name())).as("PV_HC_%s", h.name()).isEqualTo((long) h.number());
        }
        assertThat(header.keySet().stream().filter(k -> k.startsWith("HC_")))
                .as("hypercalls the header defines").hasSize(Hypercall.values().length);
    }

    @Test
    void infoLayoutMatchesTheStruct() throws Exception {
        String header = new String(GuestAbiTest.class.getResourceAsStream("/guests/paravane.h").readAllBytes(), StandardCharsets.US_ASCII);
        String struct = header.substring(header.indexOf("struct pv_info {"), header.indexOf("};", header.indexOf("struct pv_info {")));
        assertThat(struct.lines().filter(l -> l.contains("u64")).map(l -> l.replaceAll(".*u64 (\\w+);.*", "$1")).toList())
                .as("field order; GuestAbi.INFO_* offsets are 8 apart in this order")
                .containsExactly("magic", "task_id", "arg", "data_base", "data_size", "work");
        assertThat(new int[] {GuestAbi.INFO_MAGIC_OFFSET, GuestAbi.INFO_TASK_ID, GuestAbi.INFO_ARG, GuestAbi.INFO_DATA_BASE,
                GuestAbi.INFO_DATA_SIZE, GuestAbi.INFO_WORK}).containsExactly(0, 8, 16, 24, 32, 40);
    }
}
