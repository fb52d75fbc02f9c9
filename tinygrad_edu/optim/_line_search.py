"""The strong-Wolfe line search of LBFGS (a port of minFunc's, as torch.optim.lbfgs has it).

strong_wolfe(obj_func, x, t, d, f, g, gtd) looks for a step t along d with
    f(x + t d) <= f + c1 t gtd            (sufficient decrease)
    |g(x + t d) . d| <= -c2 gtd           (curvature)
first by extrapolation until the minimum is bracketed, then by zooming with cubic
interpolation. obj_func(x, t, d) returns (loss, flat gradient) at x + t d.
"""

from __future__ import annotations

from typing import Callable


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """The minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clipped to bounds."""
    xmin_bound, xmax_bound = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (xmin_bound + xmax_bound) / 2.0
    d2 = d2_square**0.5
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, xmin_bound), xmax_bound)


def _bracket(obj_func: Callable, x, t, d, f, g, gtd, c1, c2, max_ls) -> tuple:
    """Phase 1: grow t until [t_prev, t] brackets a point satisfying the Wolfe conditions."""
    f_new, g_new = obj_func(x, t, d)
    evals, ls_iter = 1, 0
    gtd_new = g_new.dot(d).item()
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    while ls_iter < max_ls:
        bracketed = (
            [t_prev, t],
            [f_prev, f_new],
            [g_prev, g_new],
            [gtd_prev, gtd_new],
            False,
            ls_iter,
            evals,
        )
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            return bracketed
        if abs(gtd_new) <= -c2 * gtd:  # both Wolfe conditions hold: done
            return [t], [f_new], [g_new], [gtd_new], True, ls_iter, evals
        if gtd_new >= 0:  # the slope turned: the minimum lies in [t_prev, t]
            return bracketed
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = (
            t,
            cubic_interpolate(
                t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
            ),
        )
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d).item()
        ls_iter += 1
    return [0.0, t], [f, f_new], [g, g_new], [gtd, gtd_new], False, ls_iter, evals


def strong_wolfe(
    obj_func: Callable,
    x,
    t: float,
    d,
    f: float,
    g,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple:
    """Returns (f_new, g_new, t, number of function evaluations)."""
    d_norm = d.abs().max().item()
    bracket, bf, bg, bgtd, done, ls_iter, evals = _bracket(
        obj_func, x, t, d, f, g, gtd, c1, c2, max_ls
    )
    insuf_progress = False
    low, high = (0, 1) if bf[0] <= bf[-1] else (1, 0)
    while not done and ls_iter < max_ls:  # phase 2: zoom into the bracket
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1])
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:  # too close to an end: move inwards
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d).item()
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bf[low]:
            bracket[high], bf[high], bg[high], bgtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bf[0] <= bf[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bf[high] = bracket[low], bf[low]
                bg[high], bgtd[high] = bg[low], bgtd[low]
            bracket[low], bf[low], bg[low], bgtd[low] = t, f_new, g_new, gtd_new
    return bf[low], bg[low], bracket[low], evals
