#!/usr/bin/env python3
"""Fits the polynomial coefficients used in kernels/vecmath.h.

Weighted minimax (Remez exchange) in high precision with mpmath, then each
coefficient is rounded to the precision the kernel uses (binary32 or
binary64) and printed as an exact hexadecimal literal (the inverse normal CDF
pieces round one coefficient at a time and refit the rest, fit_rounded). The errors printed are
those of the rounded polynomial evaluated exactly; the kernels' real errors
(with rounding of every operation) are measured by tests/unit/test_vecmath.c.

Usage: python3 tools/fit_vecmath.py          (needs only python3 + mpmath)

Every fit approximates g(t) by P(t) = sum c_i t^i on [a, b] minimizing
max |w(t) * (P(t) - g(t))|; the weight turns the error of P into the error
that matters for the function (relative or absolute, see each entry).
"""
import struct

import mpmath as mp

mp.mp.dps = 60


def remez(g, w, a, b, n, iters=40, grid=6000):
    """Weighted minimax polynomial of degree n-1 (n coefficients)."""
    a, b = mp.mpf(a), mp.mpf(b)
    # Chebyshev extrema as the starting reference (n+1 points).
    xs = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * j / n) for j in range(n + 1)]
    gridpts = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * j / (grid - 1)) for j in range(grid)]
    gvals = [g(x) for x in gridpts]
    wvals = [w(x) for x in gridpts]
    coef, E = None, None
    for _ in range(iters):
        M = mp.matrix(n + 1, n + 1)
        rhs = mp.matrix(n + 1, 1)
        for j, x in enumerate(xs):
            wx = w(x)  # w(x) (P(x) - g(x)) = (-1)^j E at every reference point
            for i in range(n):
                M[j, i] = wx * x ** i
            M[j, n] = -(-1) ** j
            rhs[j] = wx * g(x)
        sol = mp.lu_solve(M, rhs)
        coef = [sol[i] for i in range(n)]
        E = sol[n]
        err = [wv * (peval(coef, x) - gv) for x, gv, wv in zip(gridpts, gvals, wvals)]
        # One extremum per run of equal sign.
        ext = []
        start = 0
        for k in range(1, grid + 1):
            if k == grid or mp.sign(err[k]) != mp.sign(err[start]):
                best = max(range(start, k), key=lambda i: abs(err[i]))
                ext.append(best)
                start = k
        while len(ext) > n + 1:  # drop the smaller end
            if abs(err[ext[0]]) < abs(err[ext[-1]]):
                ext.pop(0)
            else:
                ext.pop()
        if len(ext) < n + 1:
            break
        xs = [gridpts[i] for i in ext]
        emax = max(abs(e) for e in err)
        if emax <= abs(E) * (1 + mp.mpf("1e-6")):
            break
    return coef, max(abs(e) for e in err)


def peval(c, x):
    r = mp.mpf(0)
    for ci in reversed(c):
        r = r * x + ci
    return r


def round_f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def round_f64(x):
    return float(x)


def hex_f32(x):
    if x == 0:
        return "0.0f"
    mant, exp = float.hex(x).split("p")
    mant = mant.rstrip("0").rstrip(".")
    return "%sp%sf" % (mant, exp)


def hex_f64(x):
    return float.hex(x)


def rounded_error(c, g, w, a, b, npts=20000):
    a, b = mp.mpf(a), mp.mpf(b)
    m = mp.mpf(0)
    for j in range(npts):
        x = a + (b - a) * j / (npts - 1)
        m = max(m, abs(w(x) * (peval(c, x) - g(x))))
    return m


def report(name, coef, err, g, w, a, b, rnd, fmt):
    rc = [rnd(c) for c in coef]
    rerr = rounded_error([mp.mpf(c) for c in rc], g, w, a, b)
    print("/* %s: minimax weighted error %s, after rounding %s */" % (
        name, mp.nstr(err, 4), mp.nstr(rerr, 4)))
    for i, c in enumerate(rc):
        print("    c%d = %s" % (i, fmt(c)))
    print()


def remez_fixed(gw, a, b, n, fixed=(), iters=40, grid=1500):
    """Weighted minimax for P(t) = F(t) + t^k Q(t), F = sum fixed[i] t^i,
    k = len(fixed), Q of n coefficients, on [a, b] with 0 not inside (the
    powers t^k.. are then a Chebyshev system). gw(t) returns (g(t), w(t)) and
    is memoized by the caller; the reference always lies on the grid."""
    a, b = mp.mpf(a), mp.mpf(b)
    k = len(fixed)
    gridpts = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * j / (grid - 1)) for j in range(grid)]
    gv = [gw(x) for x in gridpts]
    fv = [peval(list(fixed), x) for x in gridpts]
    ref = [round(j * (grid - 1) / n) for j in range(n + 1)]
    best, coef, err = None, None, None
    for _ in range(iters):
        M = mp.matrix(n + 1, n + 1)
        rhs = mp.matrix(n + 1, 1)
        for j, r in enumerate(ref):
            x, (gx, wx) = gridpts[r], gv[r]
            for i in range(n):
                M[j, i] = wx * x ** (i + k)
            M[j, n] = -(-1) ** j
            rhs[j] = wx * (gx - fv[r])
        sol = mp.lu_solve(M, rhs)
        coef = [sol[i] for i in range(n)]
        E = sol[n]
        err = [wx * (f + x ** k * peval(coef, x) - gx)
               for x, (gx, wx), f in zip(gridpts, gv, fv)]
        emax = max(abs(e) for e in err)
        if best is None or emax < best[1]:
            best = (coef, emax)
        ext, start = [], 0
        for m in range(1, grid + 1):
            if m == grid or mp.sign(err[m]) != mp.sign(err[start]):
                ext.append(max(range(start, m), key=lambda i: abs(err[i])))
                start = m
        while len(ext) > n + 1:
            if abs(err[ext[0]]) < abs(err[ext[-1]]):
                ext.pop(0)
            else:
                ext.pop()
        if len(ext) < n + 1:
            break
        ref = ext
        if emax <= abs(E) * (1 + mp.mpf("1e-6")):
            break
    return best  # the exchange can wander when the fixed part dominates


def fit_rounded(gw, a, b, n, rnd):
    """Minimax fit of n coefficients, then rounding one coefficient at a time
    from the constant term up, refitting the not yet rounded ones after each
    step so they absorb the rounding error (the constant term matters most:
    rounding it alone costs up to half an ulp of P(0)). The interval must
    have 0 as an end (or outside), so fits are in t = x - x0 with x0 at or
    just below the left end. Returns the rounded coefficients and the
    minimax error before rounding."""
    a, b = mp.mpf(a), mp.mpf(b)
    c, e0 = remez_fixed(gw, a, b, n)
    fixed = [mp.mpf(rnd(c[0]))]
    rest, erest = c[1:], e0
    # With t^k (k >= 1) the weight vanishes at t = 0: keep the reference off it.
    aa = a if a != 0 else b * mp.mpf("1e-9")
    bb = b if b != 0 else a * mp.mpf("1e-9")
    for k in range(1, n):
        c, e = remez_fixed(gw, aa, bb, n - k, fixed)
        if e < 2 * erest:  # else keep the previous solution's coefficients
            rest, erest = c, e
        fixed.append(mp.mpf(rnd(rest[0])))
        rest = rest[1:]
    return fixed, e0


def report_rounded(name, gw, a, b, n, rnd, fmt, npts=4000):
    """Fit, round (fit_rounded) and print as report() does; the rounded error
    is measured on npts equally spaced points plus the grid ends."""
    rc, e0 = fit_rounded(gw, a, b, n, rnd)
    a, b = mp.mpf(a), mp.mpf(b)
    rerr = mp.mpf(0)
    for j in range(npts):
        x = a + (b - a) * j / (npts - 1)
        gx, wx = gw(x)
        rerr = max(rerr, abs(wx * (peval(rc, x) - gx)))
    print("/* %s: minimax weighted error %s, after rounding %s */" % (
        name, mp.nstr(e0, 4), mp.nstr(rerr, 4)))
    for i, c in enumerate(rc):
        print("    c%d = %s" % (i, fmt(float(c))))
    print()


def ndtri_abs_of_w(w):
    """|Phi^-1(p)| as a function of w = -log(4 p (1 - p)), i.e.
    sqrt(2) erfinv(sqrt(1 - e^-w)); near 0 through expm1, in the tail by
    Newton on erfc from p = y / (2 (1 + sqrt(1 - y))), y = e^-w (no
    cancellation), with 50 guard digits."""
    with mp.workdps(mp.mp.dps + 50):
        w = mp.mpf(w)
        if w < 1:
            x = mp.sqrt(2) * mp.erfinv(mp.sqrt(-mp.expm1(-w)))
        else:
            y = mp.exp(-w)
            p = y / (2 * (1 + mp.sqrt(1 - y)))
            x = mp.sqrt(2) * mp.erfinv(1 - 2 * p)
            for _ in range(2):
                x -= (mp.erfc(x / mp.sqrt(2)) / 2 - p) / (-mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi))
    return +x


def memo(f):
    cache = {}

    def g(x):
        if x not in cache:
            cache[x] = f(x)
        return cache[x]
    return g


def atanh_series(z):
    """sum_{k>=1} 2 z^(k-1) / (2k+1) = (2 atanh(s) - 2s) / s^3 with z = s^2."""
    r, zk = mp.mpf(0), mp.mpf(1)
    for k in range(1, 80):
        r += 2 * zk / (2 * k + 1)
        zk *= z
    return r


def sin_series(z):
    """sin(pi/2 f) / f as a function of z = f^2."""
    h = mp.pi / 2
    r, t = mp.mpf(0), h
    for k in range(0, 40):
        r += t
        t *= -h * h * z / ((2 * k + 2) * (2 * k + 3))
    return r


def cosm1_series(z):
    """(cos(pi/2 f) - 1) / z with z = f^2."""
    h = mp.pi / 2
    r, t = mp.mpf(0), -h * h / 2
    for k in range(1, 40):
        r += t
        t *= -h * h * z / ((2 * k + 1) * (2 * k + 2))
    return r


def log1p_ratio(f):
    """(log(1+f) - f) / f^2."""
    if abs(f) < mp.mpf("1e-20"):
        return mp.mpf(-0.5) + f / 3
    return (mp.log1p(f) - f) / (f * f)


def main():
    lo = mp.sqrt(2) / 2 - 1
    hi = mp.sqrt(2) - 1
    # binary32 log: log(1+f) = f + f^2 P(f); relative error of the log.
    g = log1p_ratio
    w = lambda f: f * f / mp.log1p(f) if f != 0 else mp.mpf(0)
    for n in (9,):
        c, e = remez(g, w, lo - mp.mpf("1e-7"), hi + mp.mpf("1e-7"), n)
        report("log_f P, %d coefficients (relative error of log1p)" % n, c, e, g, w,
               lo, hi, round_f32, hex_f32)

    # binary32 sin(pi/2 f) = f P(z), cos(pi/2 f) = 1 + z Q(z), z = f^2 in [0, 1/4].
    ws = lambda z: 1 / sin_series(z)                       # relative error of sin
    wc = lambda z: z / (1 + z * cosm1_series(z))           # relative error of cos
    for n in (4,):
        c, e = remez(sin_series, ws, 0, 0.25, n)
        report("sin_f P, %d coefficients (relative)" % n, c, e, sin_series, ws, 0, 0.25,
               round_f32, hex_f32)
    for n in (4,):
        c, e = remez(cosm1_series, wc, 0, 0.25, n)
        report("cos_f Q, %d coefficients (relative)" % n, c, e, cosm1_series, wc, 0, 0.25,
               round_f32, hex_f32)

    # binary64 sin / cos, same forms.
    for n in (7,):
        c, e = remez(sin_series, ws, 0, 0.25, n)
        report("sin_d P, %d coefficients (relative)" % n, c, e, sin_series, ws, 0, 0.25,
               round_f64, hex_f64)
    for n in (7,):
        c, e = remez(cosm1_series, wc, 0, 0.25, n)
        report("cos_d Q, %d coefficients (relative)" % n, c, e, cosm1_series, wc, 0, 0.25,
               round_f64, hex_f64)

    # binary64 log: log(1+f) = 2s + s R, s = f/(2+f), R = z Lg(z), z = s^2.
    # The error of R enters the log as s*dR against 2s: weight z/2 on Lg.
    zmax = ((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) ** 2 * (1 + mp.mpf("1e-6"))
    wl = lambda z: z / 2
    for n in (7,):
        c, e = remez(atanh_series, wl, 0, zmax, n)
        report("log_d Lg, %d coefficients (relative error of log1p)" % n, c, e,
               atanh_series, wl, 0, zmax, round_f64, hex_f64)

    # binary32 inverse normal CDF (Giles-style, see nnv_ndtri_pq_f), in
    # v = log2(y), y = 4 p (1 - p) = 1 - 4 q^2, v in [-147, 0]:
    #   log2 of y:  v = k + f Q(f), f in [sqrt(1/2) - 1, sqrt(2) - 1]; only
    #               the absolute error of v matters (see the kernel), so Q
    #               is fit for absolute error of f Q(f);
    #   branch 1, v in [-7.25, 0]:   z = q P1(v), P1(0) = sqrt(2 pi);
    #   branch 2, s = sqrt(-v):      |z| = P2a(s - 2.6875) on [sqrt(7.25), 5],
    #                                |z| = P2b(s - 5) on [5, 12.13]
    # (s = 12.13 is past sqrt(147), y = 4 p at p = 2^-149). P1, P2 weighted
    # for relative error of z, rounded by fit_rounded. Small margins.
    ln2 = mp.log(2)
    g = lambda f: mp.log1p(f) / f / ln2 if f != 0 else 1 / ln2
    w = lambda f: abs(f)
    for n in (8,):
        c, e = remez(g, w, lo - mp.mpf("1e-7"), hi + mp.mpf("1e-7"), n)
        report("ndtri_f log2 Q, %d coefficients (absolute error of log2(1+f))" % n, c, e,
               g, w, lo, hi, round_f32, hex_f32)

    def p1(v):
        if v == 0:
            return mp.sqrt(2 * mp.pi)
        return 2 * ndtri_abs_of_w(-v * ln2) / mp.sqrt(-mp.expm1(v * ln2))
    gw1 = memo(lambda v: (lambda g1: (g1, 1 / g1))(p1(v)))
    report_rounded("ndtri_f P1, 10 coefficients (relative error of z, v in [-7.25, 0])",
                   gw1, mp.mpf("-7.2501"), 0, 10, round_f32, hex_f32)
    for name, x0, a, b, n in (("ndtri_f P2a", mp.mpf("2.6875"), mp.sqrt(mp.mpf("7.25")) - mp.mpf("1e-5"),
                               mp.mpf(5), 8),
                              ("ndtri_f P2b", mp.mpf(5), mp.mpf(5), mp.mpf("12.13"), 10)):
        gw2 = memo(lambda t, x0=x0: (lambda g2: (g2, 1 / g2))(ndtri_abs_of_w((t + x0) ** 2 * ln2)))
        report_rounded("%s, %d coefficients (relative error of |z|, s - %s in [%s, %s])" % (
            name, n, mp.nstr(x0, 8), mp.nstr(a - x0, 4), mp.nstr(b - x0, 4)),
            gw2, a - x0, b - x0, n, round_f32, hex_f32)

    # Splits of ln 2 and pi-free constants.
    ln2 = mp.log(2)
    l2f = round_f32(ln2)
    print("ln2_f hi = %s lo = %s" % (hex_f32(l2f), hex_f32(round_f32(ln2 - l2f))))
    # binary64: hi keeps 32 significant bits so k*hi is exact for |k| < 2^21.
    hi64 = float(mp.floor(ln2 * 2 ** 32) / 2 ** 32)
    print("ln2_d hi = %s lo = %s" % (hex_f64(hi64), hex_f64(float(ln2 - hi64))))
    # Offsets of the subnormal rescaling in nnv_ndtri_f / nnv_ndtri_d.
    print("24 ln2 = %s, 54 ln2 = %s" % (hex_f32(round_f32(24 * ln2)), hex_f64(float(54 * ln2))))


if __name__ == "__main__":
    main()
