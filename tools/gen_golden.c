/* Records the golden digests of tests/data/golden.txt from the scalar path,
 * the specification. Run through `make golden`. */
#include <stdio.h>
#include <stdlib.h>
#include "contract_cases.h"
#include "testutil.h"

int main(void)
{
    if (nninit_set_isa("scalar") != NNINIT_OK) return 1;
    void *buf = malloc(NT_GOLDEN_N * 8);
    if (!buf) return 1;
    printf("# dist dtype n offset fnv1a64 -- recorded from the scalar path by tools/gen_golden.c\n");
    for (int d = 0; d < 3; d++)
        for (int dt = 0; dt < 4; dt++) {
            if (nt_fill_case(d, (nninit_dtype)dt, buf, NT_GOLDEN_N, NT_GOLDEN_OFFSET) != NNINIT_OK) return 1;
            printf("%s %s %zu %llu %016llx\n", nt_dist_names[d], nninit_dtype_name((nninit_dtype)dt), NT_GOLDEN_N,
                   (unsigned long long)NT_GOLDEN_OFFSET,
                   (unsigned long long)nt_fnv1a(buf, NT_GOLDEN_N * nninit_dtype_size((nninit_dtype)dt)));
        }
    free(buf);
    return 0;
}
