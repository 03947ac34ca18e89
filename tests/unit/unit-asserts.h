/*
 * Check assertions shared by the unit suites for functions that return
 * NULL on success or a malloc()'d error message.
 */
#ifndef UNIT_ASSERTS_H
#define UNIT_ASSERTS_H 1

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Asserts that 'ERROR' is NULL, printing it otherwise. */
#define ck_assert_ok(ERROR)                                             \
    do {                                                                \
        char *error_ = (ERROR);                                         \
        ck_assert_msg(!error_, "unexpected error: %s", error_);         \
    } while (0)

/* Asserts that 'ERROR' is non-NULL and mentions 'NEEDLE', and frees it. */
#define ck_assert_error(ERROR, NEEDLE)                                  \
    do {                                                                \
        char *error_ = (ERROR);                                         \
        ck_assert_msg(error_ != NULL, "expected an error");             \
        ck_assert_msg(strstr(error_, NEEDLE) != NULL,                   \
                      "error \"%s\" lacks \"%s\"", error_, NEEDLE);     \
        free(error_);                                                   \
    } while (0)

#endif /* tests/unit/unit-asserts.h */
