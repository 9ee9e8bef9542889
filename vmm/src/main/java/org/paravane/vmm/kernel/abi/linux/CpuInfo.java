package org.paravane.vmm.kernel.abi.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuidLeaf;

/** What Linux derives from the VM's CPU model: AT_HWCAP (CPUID.1:EDX, as x86-64 Linux reports it) and /proc/cpuinfo. */
final class CpuInfo {
    private CpuInfo() {
    }

    private static final String[] EDX_FLAGS = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "",
            "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr", "sse",
            "sse2", "ss", "ht", "tm", "ia64", "pbe"};
    private static final String[] ECX_FLAGS = {"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
            "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", "", "pcid", "dca", "sse4_1", "sse4_2", "x2apic",
            "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "osxsave", "avx", "f16c", "rdrand", "hypervisor"};

    /** AT_HWCAP: CPUID.1:EDX, or 0 when the model is not known. */
    static long hwcap(CpuModel model) {
        return model == null ? 0 : model.leaf(1, 0).map(l -> Integer.toUnsignedLong(l.edx())).orElse(0L);
    }

    /** /proc/cpuinfo for {@code vcpus} processors; without a model, only what every x86-64 has. */
    static String render(CpuModel model, int vcpus) {
        String vendor = "unknown", name = "Paravane virtual CPU";
        int edx = 0x0789_a1ff & ~(1 << 9), ecx = 0;   // the x86-64 baseline: fpu .. sse2 without apic
        int family = 6, modelNumber = 0, stepping = 0;
        if (model != null) {
            CpuidLeaf l0 = model.leaf(0, 0).orElse(null);
            if (l0 != null) {
                vendor = ascii(l0.ebx(), l0.edx(), l0.ecx()).trim();
            }
            CpuidLeaf l1 = model.leaf(1, 0).orElse(null);
            if (l1 != null) {
                edx = l1.edx();
                ecx = l1.ecx();
                family = (l1.eax() >> 8) & 0xF;
                modelNumber = ((l1.eax() >> 4) & 0xF) | ((l1.eax() >> 12) & 0xF0);
                stepping = l1.eax() & 0xF;
            }
            StringBuilder brand = new StringBuilder();
            for (int f = 0x8000_0002; f <= 0x8000_0004; f++) {
                model.leaf(f, 0).ifPresent(l -> brand.append(ascii(l.eax(), l.ebx(), l.ecx(), l.edx())));
            }
            if (!brand.toString().isBlank()) {
                name = brand.toString().replace("\0", "").trim();
            }
            if (name.isEmpty()) {
                name = model.name();
            }
        }
        StringBuilder flags = new StringBuilder();
        appendFlags(flags, EDX_FLAGS, edx);
        appendFlags(flags, ECX_FLAGS, ecx);
        flags.append(" lm");
        StringBuilder out = new StringBuilder();
        for (int cpu = 0; cpu < vcpus; cpu++) {
            out.append("processor\t: ").append(cpu).append('\n')
                    .append("vendor_id\t: ").append(vendor).append('\n')
                    .append("cpu family\t: ").append(family).append('\n')
                    .append("model\t\t: ").append(modelNumber).append('\n')
                    .append("model name\t: ").append(name).append('\n')
                    .append("stepping\t: ").append(stepping).append('\n')
                    .append("flags\t\t:").append(flags).append('\n')
                    .append("clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 48 bits physical, 48 bits virtual\n\n");
        }
        return out.toString();
    }

    private static void appendFlags(StringBuilder flags, String[] names, int bits) {
        for (int i = 0; i < 32; i++) {
            if ((bits & (1 << i)) != 0 && !names[i].isEmpty()) {
                flags.append(' ').append(names[i]);
            }
        }
    }

    private static String ascii(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return new String(b.array(), StandardCharsets.US_ASCII);
    }
}
