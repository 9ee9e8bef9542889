/*
 * Scanner: reads every page of its data region (lazily restored memory: each first touch may fault to the host)
 * and checksums every byte. arg = number of passes (0 means 1). Reports "checksum" and "pages".
 */
#include "paravane.h"

int main(long passes) {
    struct pv_info *info = pv_info();
    if (info->data_size == 0) {
        printf("scanner: no data region\n");
        return 2;
    }
    if (passes <= 0) passes = 1;
    const u64 *data = (const u64 *)info->data_base;
    u64 words = info->data_size / 8, hash = 0xcbf29ce484222325UL, pages = 0;
    for (long p = 0; p < passes; p++) {
        for (u64 i = 0; i < words; i++) {
            hash = (hash ^ data[i]) * 0x100000001b3UL;
            if ((i & 511) == 511) {
                pages++;
                info->work = pages;
            }
        }
    }
    pv_report("checksum", hash);
    pv_report("pages", pages);
    printf("scanner: %lu pages, checksum %016lx\n", pages, hash);
    return 0;
}
