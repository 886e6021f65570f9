#!/usr/bin/env python3
"""Expected values of spec-string arithmetic for tests/unit/test_spec.c (EXPR_REFS).

Each case pairs an nninit expression with the same arithmetic written by hand in
Python. Python floats are IEEE binary64 and each operation rounds once, left to
right, as C's doubles do (the library is compiled with -ffp-contract=off); math.sqrt
is correctly rounded like C's sqrt. math.exp, math.log and math.pow call the
platform's libm, as the library does: those rows hold this machine's glibc results
(the test also compares them with libm at run time), the others hold no libm value.

Variables (the same in the test): l = 3, n_layers = 12, hidden = 768,
initializer_range = 0.02.

    /usr/bin/python3 tools/gen_expr_refs.py    # prints the C table
"""
import math
import struct

l, n_layers, hidden, initializer_range = 3.0, 12.0, 768.0, 0.02

CASES = [
    # (nninit expression, the Python arithmetic, uses libm exp/log/pow)
    ("0.02/sqrt(2*12)", lambda: 0.02 / math.sqrt(2.0 * 12.0), False),
    ("0.02/sqrt(24)", lambda: 0.02 / math.sqrt(24.0), False),
    ("0.02/sqrt(2*n_layers)", lambda: 0.02 / math.sqrt(2.0 * n_layers), False),
    ("initializer_range/sqrt(2*(l+1))", lambda: initializer_range / math.sqrt(2.0 * (l + 1.0)), False),
    ("0.02 / sqrt(2 * (l + 1))", lambda: 0.02 / math.sqrt(2.0 * (l + 1.0)), False),
    ("1/sqrt(hidden)", lambda: 1.0 / math.sqrt(hidden), False),
    ("1/3", lambda: 1.0 / 3.0, False),
    ("2/3*3", lambda: 2.0 / 3.0 * 3.0, False),
    ("0.1+0.2", lambda: 0.1 + 0.2, False),
    ("0.1+0.2+0.3", lambda: (0.1 + 0.2) + 0.3, False),          # left to right
    ("0.1+(0.2+0.3)", lambda: 0.1 + (0.2 + 0.3), False),
    ("1-0.9", lambda: 1.0 - 0.9, False),
    ("0.02*3/7", lambda: (0.02 * 3.0) / 7.0, False),
    ("0.02*(3/7)", lambda: 0.02 * (3.0 / 7.0), False),
    ("1e-3*1e-3", lambda: 1e-3 * 1e-3, False),
    ("6.02214076e23/1e23", lambda: 6.02214076e23 / 1e23, False),
    ("-2^2", lambda: -(2.0 ** 2.0), False),                       # '^' above the sign
    ("(-2)^2", lambda: (-2.0) ** 2.0, False),
    ("2^3^2", lambda: 2.0 ** (3.0 ** 2.0), False),              # right-associative
    ("(2^3)^2", lambda: (2.0 ** 3.0) ** 2.0, False),
    ("2^-1", lambda: 2.0 ** -1.0, False),
    ("-(3)", lambda: -3.0, False),
    ("- 0", lambda: -0.0, False),
    ("2*-3", lambda: 2.0 * -3.0, False),
    ("4--1", lambda: 4.0 - (-1.0), False),
    ("+.5", lambda: 0.5, False),
    ("sqrt(2/(1+0.01^2))", lambda: math.sqrt(2.0 / (1.0 + math.pow(0.01, 2.0))), True),
    ("sqrt(5)", lambda: math.sqrt(5.0), False),
    ("min(0.1, 0.2, 0.05)", lambda: 0.05, False),
    ("max(1, 2*l, 5)", lambda: 6.0, False),
    ("min(1, 1+1e-16)", lambda: 1.0, False),
    ("hidden^-0.5", lambda: math.pow(hidden, -0.5), True),
    ("0.02^2", lambda: math.pow(0.02, 2.0), True),
    ("10^0.1", lambda: math.pow(10.0, 0.1), True),
    ("exp(-1)", lambda: math.exp(-1.0), True),
    ("exp(0.5)*2", lambda: math.exp(0.5) * 2.0, True),
    ("log(2)", lambda: math.log(2.0), True),
    ("log(10)/log(2)", lambda: math.log(10.0) / math.log(2.0), True),
    ("exp(log(3))", lambda: math.exp(math.log(3.0)), True),
    ("log(1e-300)", lambda: math.log(1e-300), True),
]


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def main():
    for expr, fn, libm in CASES:
        v = fn()
        print('    { "%s", 0x%016xULL, %d },   /* %r */' % (expr, bits(v), int(libm), v))


if __name__ == "__main__":
    main()
