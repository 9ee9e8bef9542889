/* CPU kernel K4 (table loads): table-driven CRC-32 over a 64 KiB pattern buffer, arg passes (0 means 20). */
#include "paravane.h"

static u32 table[256];
static u8 buffer[65536];

int main(long passes) {
    if (passes <= 0) passes = 20;
    u64 started = pv_time();
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    for (u32 i = 0; i < sizeof buffer; i++) buffer[i] = (u8)((i * 0x45d9f3bu) >> 11);
    u32 crc = 0xFFFFFFFFu;
    for (long p = 0; p < passes; p++) {
        for (u32 i = 0; i < sizeof buffer; i++) crc = table[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
    }
    crc = ~crc;
    u64 elapsed = pv_time() - started;
    pv_report("nanos", elapsed);
    pv_report("checksum", crc);
    printf("cpu_crc: %ld passes, crc %08x\n", passes, crc);
    return 0;
}
