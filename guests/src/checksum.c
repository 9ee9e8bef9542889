/* Checksums a file-backed data region (CRC-32, as `crc32`/zlib compute it) and prints its size. */
#include "paravane.h"

static u32 table[256];

int main(long arg) {
    (void)arg;
    struct pv_info *info = pv_info();
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    const u8 *data = (const u8 *)info->data_base;
    u32 crc = 0xFFFFFFFFu;
    for (u64 i = 0; i < info->data_size; i++) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    crc ^= 0xFFFFFFFFu;
    pv_report("crc32", crc);
    printf("checksum: %lu bytes, crc32 %08x\n", info->data_size, crc);
    return 0;
}
