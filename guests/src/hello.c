/* The first program a user tries. */
#include "paravane.h"

int main(long arg) {
    (void)arg;
    printf("hello, world from task %lu\n", pv_info()->task_id);
    return 0;
}
