/* The guest libc: hypercall wrappers, memory/string helpers gcc may call, and a small printf. */
#include <stdarg.h>
#include "paravane.h"

__attribute__((noreturn)) void pv_exit(int code) {
    pv_hypercall(PV_HC_EXIT, (u64)code, 0, 0);
    for (;;) {
    }
}

s64 pv_write(int fd, const void *buf, size_t len) { return pv_hypercall(PV_HC_WRITE, (u64)fd, (u64)buf, len); }
void pv_yield(void) { pv_hypercall(PV_HC_YIELD, 0, 0, 0); }
u64 pv_time(void) { return (u64)pv_hypercall(PV_HC_TIME, 0, 0, 0); }
s64 pv_preempt_disable(void) { return pv_hypercall(PV_HC_PREEMPT_DISABLE, 0, 0, 0); }
s64 pv_preempt_enable(void) { return pv_hypercall(PV_HC_PREEMPT_ENABLE, 0, 0, 0); }
s64 pv_rcu_read_lock(void) { return pv_hypercall(PV_HC_RCU_READ_LOCK, 0, 0, 0); }
s64 pv_rcu_read_unlock(void) { return pv_hypercall(PV_HC_RCU_READ_UNLOCK, 0, 0, 0); }
s64 pv_report(const char *name, u64 value) { return pv_hypercall(PV_HC_REPORT, (u64)name, value, 0); }

void *memset(void *dst, int c, size_t n) {
    u8 *d = dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
    u8 *d = dst;
    const u8 *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    u8 *d = dst;
    const u8 *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--) *--d = *--s;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const u8 *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x - *y;
    }
    return 0;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int puts(const char *s) {
    pv_write(1, s, strlen(s));
    pv_write(1, "\n", 1);
    return 0;
}

/* printf into a buffer flushed by one write hypercall per call (hypercalls are the expensive part). */
struct out {
    char buf[512];
    size_t len;
    int total;
};

static void put(struct out *o, char c) {
    if (o->len == sizeof o->buf) {
        pv_write(1, o->buf, o->len);
        o->len = 0;
    }
    o->buf[o->len++] = c;
    o->total++;
}

static void put_number(struct out *o, u64 v, unsigned base, int negative, int width, char pad) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative) digits[n++] = '-';
    for (int i = n; i < width; i++) put(o, pad);
    while (n) put(o, digits[--n]);
}

int printf(const char *fmt, ...) {
    struct out o = {.len = 0, .total = 0};
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        while (*p == 'l') {
            lng = 1;
            p++;
        }
        switch (*p) {
        case 'd': {
            s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
            put_number(&o, v < 0 ? (u64)-v : (u64)v, 10, v < 0, width, pad);
            break;
        }
        case 'u': put_number(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, 0, width, pad); break;
        case 'x': put_number(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, 0, width, pad); break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, (u64)va_arg(ap, void *), 16, 0, width, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s) put(&o, *s++);
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case '%': put(&o, '%'); break;
        default:
            put(&o, '%');
            if (*p) put(&o, *p);
            else p--;
        }
    }
    va_end(ap);
    if (o.len) pv_write(1, o.buf, o.len);
    return o.total;
}
