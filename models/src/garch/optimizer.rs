//! A small active-set quasi-Newton minimiser: damped BFGS under linear
//! inequality constraints, for the four or five GARCH parameters.
//!
//! Why hand-written: the problem is tiny (k <= 5 variables, a handful of
//! linear constraints: arch's bounds plus alpha + beta <= 1), the objective
//! comes with an exact gradient, and the code must compile to wasm32-wasip2
//! without pulling in a numerical library. What it does, per iteration:
//!
//! 1. Solve the equality-constrained quadratic model
//!    `min g'd + d'Bd/2  s.t.  a_i'd = 0 for the active constraints i`
//!    (a (k+m)-square KKT system, Gaussian elimination). `B` is the BFGS
//!    Hessian approximation; its first value comes from the caller (the
//!    outer product of the scores, which is close to the Hessian of a
//!    log-likelihood near its maximum), and so does a fresh one whenever a
//!    backtracked step achieves less than a quarter of the decrease the
//!    model predicted for its first trial (on the nearly flat, curved
//!    ridges of GARCH likelihoods towards alpha + beta = 1, damped BFGS
//!    updates otherwise shrink the curvature step after step and the
//!    search creeps).
//! 2. If an active constraint's multiplier is negative, release it (the most
//!    negative first) and solve again. Otherwise, if the predicted decrease
//!    `-g'd` is below the tolerance, the point is a KKT point: stop.
//! 3. Otherwise step along `d`, no further than the nearest inactive
//!    constraint (the step stays feasible, so the objective is only ever
//!    evaluated where the variance recursion is valid), backtracking until
//!    the Armijo condition holds; a step that reaches a constraint makes it
//!    active, and is accepted on any decrease of the objective.
//! 4. Update `B` with Powell's damped BFGS formula, which keeps it positive
//!    definite without a Wolfe line search.
//!
//! Convergence is the scale-free test of step 2: the predicted improvement
//! of the objective (a Newton decrement measured with `B`) is below `tol`,
//! in the objective's own units, at a point satisfying the KKT sign
//! conditions.

/// Most variables the minimiser handles (mu, omega, alpha, beta, nu).
pub(crate) const MAX_DIM: usize = 5;
const MAX_KKT: usize = 2 * MAX_DIM;

/// Armijo sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;
/// Backtracking steps before the line search gives up.
const MAX_BACKTRACKS: usize = 40;
/// A backtracked step that achieves less than this fraction of the decrease
/// the quadratic model predicted for its first trial step resets the
/// Hessian approximation.
const MODEL_FAILURE: f64 = 0.25;
/// A multiplier this negative releases its constraint.
const RELEASE_TOL: f64 = 1e-8;

/// The linear constraint `a'x >= b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Constraint {
    /// Coefficients (zero beyond the problem's dimension).
    pub a: [f64; MAX_DIM],
    /// Right-hand side.
    pub b: f64,
}

impl Constraint {
    /// `x[i] >= lo`.
    pub fn lower(i: usize, lo: f64) -> Self {
        let mut a = [0.0; MAX_DIM];
        a[i] = 1.0;
        Constraint { a, b: lo }
    }

    /// `x[i] <= hi`, written as `-x[i] >= -hi`.
    pub fn upper(i: usize, hi: f64) -> Self {
        let mut a = [0.0; MAX_DIM];
        a[i] = -1.0;
        Constraint { a, b: -hi }
    }

    /// Whether the constraint involves a single variable.
    fn is_bound(&self) -> bool {
        self.a.iter().filter(|a| **a != 0.0).count() == 1
    }

    /// `a'x - b`: >= 0 when satisfied, 0 when active.
    fn slack(&self, x: &[f64; MAX_DIM]) -> f64 {
        dot(&self.a, x) - self.b
    }

    /// Move `x` onto `a'x = b`: exactly, for a simple bound; by orthogonal
    /// projection otherwise.
    fn snap(&self, x: &mut [f64; MAX_DIM]) {
        let mut count = 0;
        let mut only = 0;
        for (i, ai) in self.a.iter().enumerate() {
            if *ai != 0.0 {
                count += 1;
                only = i;
            }
        }
        if count == 1 {
            x[only] = self.b / self.a[only];
        } else {
            let aa = dot(&self.a, &self.a);
            let t = (self.b - dot(&self.a, x)) / aa;
            for (xi, ai) in x.iter_mut().zip(&self.a) {
                *xi += t * ai;
            }
        }
    }
}

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Most accepted steps.
    pub max_iter: u32,
    /// Stationarity tolerance on the predicted decrease `-g'd`, in units of
    /// the objective.
    pub tol: f64,
}

/// Where the minimiser stopped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    /// The final point (feasible).
    pub x: [f64; MAX_DIM],
    /// The objective there.
    pub f: f64,
    /// Accepted steps.
    pub iterations: u32,
    /// Objective-and-gradient evaluations.
    pub evaluations: u32,
    /// Whether the convergence test of step 2 was met.
    pub converged: bool,
}

fn dot(a: &[f64; MAX_DIM], b: &[f64; MAX_DIM]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimise `f` over the `k` first coordinates from the feasible point `x0`,
/// subject to `constraints`.
///
/// `fg(x, g)` returns f(x) and writes its gradient into `g`. A non-finite
/// value is treated as "too far" by the line search. `hessian(x)` returns
/// an approximation of the Hessian at `x` (made positive definite here):
/// the first quasi-Newton matrix, and the restart when the BFGS matrix has
/// degenerated. Its calls count as evaluations.
pub(crate) fn minimize<F, H>(
    k: usize,
    x0: [f64; MAX_DIM],
    constraints: &[Constraint],
    settings: Settings,
    mut fg: F,
    mut hessian: H,
) -> Outcome
where
    F: FnMut(&[f64; MAX_DIM], &mut [f64; MAX_DIM]) -> f64,
    H: FnMut(&[f64; MAX_DIM]) -> [[f64; MAX_DIM]; MAX_DIM],
{
    let mut x = x0;
    let mut g = [0.0; MAX_DIM];
    let mut f = fg(&x, &mut g);
    let mut evaluations = 1;
    let b0 = positive_definite(k, &hessian(&x));
    evaluations += 1;
    let mut iterations = 0;
    let mut converged = false;
    let mut b = b0;
    let mut restarted = false;
    let mut active: Vec<usize> = (0..constraints.len())
        .filter(|&i| constraints[i].slack(&x) <= 1e-12 * (1.0 + constraints[i].b.abs()))
        .collect();
    let outcome = |x, f, iterations, evaluations, converged| Outcome { x, f, iterations, evaluations, converged };
    if !f.is_finite() {
        return outcome(x, f, 0, evaluations, false);
    }

    // Releases and additions do not count as iterations; this bounds them.
    for _ in 0..(4 * settings.max_iter as usize + 4 * constraints.len() + 8) {
        if iterations >= settings.max_iter {
            break;
        }
        let Some((d, lambda)) = solve_eqp(k, &b, &g, constraints, &active) else {
            // Singular KKT system: B has lost definiteness in floating point.
            // Restart once from its (conditioned) diagonal; give up if that
            // fails too.
            if restarted {
                break;
            }
            restarted = true;
            b = conditioned_diagonal(k, &b);
            continue;
        };
        restarted = false;
        let dec = -dot(&g, &d);
        // Release eagerly: a constraint whose multiplier is negative is one
        // the objective wants to leave, now, not only once this face is
        // optimised (which can take many steps on a face the optimum is
        // nowhere near, e.g. a start on alpha = 0). One at a time, so the
        // new direction provably moves off the released constraint.
        let worst = (0..active.len()).min_by(|&i, &j| lambda[i].total_cmp(&lambda[j]));
        if let Some(j) = worst.filter(|&j| lambda[j] < -RELEASE_TOL) {
            active.remove(j);
            continue;
        }
        if !(dec > settings.tol) {
            // Stationary on this face with no negative multiplier: a KKT point.
            converged = dec.is_finite();
            break;
        }

        // Longest feasible step, and the constraint that limits it.
        let mut amax = f64::INFINITY;
        let mut block = None;
        for (i, c) in constraints.iter().enumerate() {
            if active.contains(&i) {
                continue;
            }
            let ad = dot(&c.a, &d);
            if ad < 0.0 {
                let r = c.slack(&x).max(0.0) / -ad;
                if r < amax {
                    amax = r;
                    block = Some(i);
                }
            }
        }
        if amax <= 0.0 {
            // Sitting on a constraint the direction would cross: activate it.
            if let Some(i) = block {
                active.push(i);
            }
            continue;
        }

        // Backtracking line search on [0, min(1, amax)].
        let mut step = amax.min(1.0);
        let mut accepted = None;
        for _ in 0..MAX_BACKTRACKS {
            let hit = block.filter(|_| step >= amax);
            let mut xt = x;
            for i in 0..k {
                xt[i] += step * d[i];
            }
            // Onto the active constraints (and the one just reached):
            // general ones first, simple bounds last, so a bound holds
            // exactly at the end.
            for pass_bounds in [false, true] {
                for i in active.iter().copied().chain(hit) {
                    if constraints[i].is_bound() == pass_bounds {
                        constraints[i].snap(&mut xt);
                    }
                }
            }
            let mut gt = [0.0; MAX_DIM];
            let ft = fg(&xt, &mut gt);
            evaluations += 1;
            // A step that reaches a constraint is taken on any decrease: on a
            // nearly flat ridge the quadratic model's predicted decrease is
            // meaningless, and insisting on a fraction of it would only creep
            // geometrically towards the constraint without ever reaching it.
            let sufficient = ft <= f - ARMIJO * step * dec || (hit.is_some() && ft < f);
            if ft.is_finite() && sufficient {
                accepted = Some((xt, ft, gt, hit, step));
                break;
            }
            // Minimiser of the quadratic through f, f'(0) = -dec and ft,
            // kept within [0.1, 0.5] of the current step.
            let next = if ft.is_finite() {
                let curv = ft - f + dec * step;
                if curv > 0.0 { dec * step * step / (2.0 * curv) } else { 0.5 * step }
            } else {
                0.1 * step
            };
            step = next.clamp(0.1 * step, 0.5 * step);
        }
        let Some((xt, ft, gt, hit, step)) = accepted else {
            // No decrease found: rounding noise near a stationary point, or
            // a failure. Call it converged only if the decrease on offer was
            // already negligible.
            converged = dec <= 1e3 * settings.tol;
            break;
        };

        let mut s = [0.0; MAX_DIM];
        let mut yv = [0.0; MAX_DIM];
        for i in 0..k {
            s[i] = xt[i] - x[i];
            yv[i] = gt[i] - g[i];
        }
        // The decrease the model predicted for the first trial step (the
        // full step, or the step to the nearest constraint).
        let first = amax.min(1.0);
        let predicted = dec * first * (1.0 - 0.5 * first);
        if step < first && f - ft < MODEL_FAILURE * predicted {
            // The quadratic model promised far more than the step delivered:
            // its curvature has degenerated (typically along a nearly flat,
            // curved ridge, where damped updates shrink it step by step).
            // Start again from the caller's approximation at the new point.
            b = positive_definite(k, &hessian(&xt));
            evaluations += 1;
        } else {
            damped_bfgs(k, &mut b, &s, &yv);
        }
        if let Some(i) = hit {
            active.push(i);
        }
        x = xt;
        f = ft;
        g = gt;
        iterations += 1;
    }
    outcome(x, f, iterations, evaluations, converged)
}

/// Solve the KKT system of the equality-constrained quadratic model:
/// `B d - A' lambda = -g`, `A d = 0`, A the active constraints' rows.
fn solve_eqp(
    k: usize,
    b: &[[f64; MAX_DIM]; MAX_DIM],
    g: &[f64; MAX_DIM],
    constraints: &[Constraint],
    active: &[usize],
) -> Option<([f64; MAX_DIM], [f64; MAX_DIM])> {
    let m = active.len();
    let n = k + m;
    if m > k {
        return None;
    }
    let mut a = [[0.0; MAX_KKT + 1]; MAX_KKT];
    for i in 0..k {
        a[i][..k].copy_from_slice(&b[i][..k]);
        for (j, &c) in active.iter().enumerate() {
            a[i][k + j] = -constraints[c].a[i];
            a[k + j][i] = constraints[c].a[i];
        }
        a[i][n] = -g[i];
    }
    let sol = gauss_solve(&mut a, n)?;
    let mut d = [0.0; MAX_DIM];
    let mut lambda = [0.0; MAX_DIM];
    d[..k].copy_from_slice(&sol[..k]);
    lambda[..m].copy_from_slice(&sol[k..n]);
    Some((d, lambda))
}

/// Gaussian elimination with partial pivoting on the augmented `n x (n+1)`
/// matrix; `None` if it is singular or the solution is not finite.
///
/// No relative pivot threshold: the KKT matrix mixes the Hessian's scale
/// (which can reach 1e15 on a nearly flat ridge) with the constraints'
/// unit coefficients, so only an exact zero pivot or a non-finite result
/// counts as singular.
fn gauss_solve(a: &mut [[f64; MAX_KKT + 1]; MAX_KKT], n: usize) -> Option<[f64; MAX_KKT]> {
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if !(a[piv][col].abs() > 0.0 && a[piv][col].is_finite()) {
            return None;
        }
        a.swap(col, piv);
        for row in col + 1..n {
            let factor = a[row][col] / a[col][col];
            if factor != 0.0 {
                for j in col..=n {
                    a[row][j] -= factor * a[col][j];
                }
            }
        }
    }
    let mut x = [0.0; MAX_KKT];
    for row in (0..n).rev() {
        let mut acc = a[row][n];
        for j in row + 1..n {
            acc -= a[row][j] * x[j];
        }
        x[row] = acc / a[row][row];
    }
    x[..n].iter().all(|v| v.is_finite()).then_some(x)
}

/// Powell's damped BFGS update of the Hessian approximation `b` with step
/// `s` and gradient change `y`: where the curvature `s'y` is too small
/// (the line search does not enforce the Wolfe conditions) `y` is blended
/// with `B s`, which keeps `b` positive definite.
fn damped_bfgs(k: usize, b: &mut [[f64; MAX_DIM]; MAX_DIM], s: &[f64; MAX_DIM], y: &[f64; MAX_DIM]) {
    let mut bs = [0.0; MAX_DIM];
    for i in 0..k {
        bs[i] = (0..k).map(|j| b[i][j] * s[j]).sum();
    }
    let sbs = dot(s, &bs);
    let sy = dot(s, y);
    if !(sbs > 0.0 && sbs.is_finite() && sy.is_finite()) {
        return;
    }
    let theta = if sy >= 0.2 * sbs { 1.0 } else { 0.8 * sbs / (sbs - sy) };
    let mut r = [0.0; MAX_DIM];
    for i in 0..k {
        r[i] = theta * y[i] + (1.0 - theta) * bs[i];
    }
    let sr = dot(s, &r);
    if !(sr > 0.0) {
        return;
    }
    for i in 0..k {
        for j in 0..k {
            b[i][j] += r[i] * r[j] / sr - bs[i] * bs[j] / sbs;
        }
    }
}

/// The diagonal of `b`, each entry at least 1e-12 of the largest: a
/// well-conditioned restart for a Hessian approximation gone singular.
fn conditioned_diagonal(k: usize, b: &[[f64; MAX_DIM]; MAX_DIM]) -> [[f64; MAX_DIM]; MAX_DIM] {
    let largest = (0..k).map(|i| b[i][i].abs()).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let floor = if largest > 0.0 { 1e-12 * largest } else { 1.0 };
    let mut out = [[0.0; MAX_DIM]; MAX_DIM];
    for i in 0..k {
        let v = b[i][i].abs();
        out[i][i] = if v.is_finite() { v.max(floor) } else { largest.max(1.0) };
    }
    out
}

/// Make `b` (first `k` coordinates) safely positive definite for use as the
/// first Hessian approximation: symmetrise, then add a growing multiple of
/// its mean diagonal until a Cholesky factorisation succeeds; fall back to
/// the identity.
pub(crate) fn positive_definite(k: usize, b: &[[f64; MAX_DIM]; MAX_DIM]) -> [[f64; MAX_DIM]; MAX_DIM] {
    let mut sym = [[0.0; MAX_DIM]; MAX_DIM];
    for i in 0..k {
        for j in 0..k {
            sym[i][j] = 0.5 * (b[i][j] + b[j][i]);
        }
    }
    let mean_diag = (0..k).map(|i| sym[i][i].abs()).sum::<f64>() / k as f64;
    let mut shift = 0.0;
    let usable = mean_diag.is_normal() && mean_diag.is_finite();
    for _ in 0..if usable { 12 } else { 0 } {
        let mut trial = sym;
        for (i, row) in trial.iter_mut().enumerate().take(k) {
            row[i] += shift;
        }
        if is_cholesky_pd(k, &trial) {
            return trial;
        }
        shift = if shift == 0.0 { 1e-10 * mean_diag } else { shift * 10.0 };
    }
    let mut id = [[0.0; MAX_DIM]; MAX_DIM];
    for (i, row) in id.iter_mut().enumerate().take(k) {
        row[i] = 1.0;
    }
    id
}

/// Whether a Cholesky factorisation of the leading `k x k` block succeeds
/// with a comfortably positive pivot everywhere.
fn is_cholesky_pd(k: usize, a: &[[f64; MAX_DIM]; MAX_DIM]) -> bool {
    let mut l = [[0.0; MAX_DIM]; MAX_DIM];
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[i][j];
            for p in 0..j {
                s -= l[i][p] * l[j][p];
            }
            if i == j {
                if !(s > 1e-12 * a[i][i].abs()) || !s.is_finite() {
                    return false;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings { max_iter: 200, tol: 1e-14 }
    }

    fn ident(k: usize) -> [[f64; MAX_DIM]; MAX_DIM] {
        positive_definite(k, &[[0.0; MAX_DIM]; MAX_DIM])
    }

    #[test]
    fn unconstrained_rosenbrock() {
        let out = minimize(
            2,
            [-1.2, 1.0, 0.0, 0.0, 0.0],
            &[],
            settings(),
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            |x| {
                // The exact Hessian (positive definite near the valley floor;
                // `minimize` makes it so elsewhere).
                let mut h = [[0.0; MAX_DIM]; MAX_DIM];
                h[0][0] = 2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]);
                h[0][1] = -400.0 * x[0];
                h[1][0] = -400.0 * x[0];
                h[1][1] = 200.0;
                h
            },
        );
        assert!(out.converged, "{out:?}");
        assert!((out.x[0] - 1.0).abs() < 1e-6 && (out.x[1] - 1.0).abs() < 1e-6, "{out:?}");
    }

    #[test]
    fn active_bound_and_sum_constraints_are_kkt() {
        // min (x0 - 2)^2 + (x1 - 3)^2 + (x2 + 1)^2, x2 >= 0, x0 + x1 <= 1.
        let cons = [
            Constraint::lower(2, 0.0),
            Constraint { a: [-1.0, -1.0, 0.0, 0.0, 0.0], b: -1.0 },
            Constraint::lower(0, -10.0),
        ];
        let out = minimize(
            3,
            [0.0, 0.0, 0.5, 0.0, 0.0],
            &cons,
            settings(),
            |x, g| {
                g[0] = 2.0 * (x[0] - 2.0);
                g[1] = 2.0 * (x[1] - 3.0);
                g[2] = 2.0 * (x[2] + 1.0);
                (x[0] - 2.0).powi(2) + (x[1] - 3.0).powi(2) + (x[2] + 1.0).powi(2)
            },
            |_| ident(3),
        );
        assert!(out.converged, "{out:?}");
        // Projection of (2, 3) onto x0 + x1 = 1 is (0, 1); x2 at its bound.
        assert!((out.x[0] - 0.0).abs() < 1e-9 && (out.x[1] - 1.0).abs() < 1e-9, "{out:?}");
        assert_eq!(out.x[2], 0.0);
    }

    #[test]
    fn constraints_active_at_the_start_are_released() {
        // Start on x0 = 0 with the optimum inside.
        let cons = [Constraint::lower(0, 0.0), Constraint::upper(0, 5.0)];
        let out = minimize(
            1,
            [0.0; MAX_DIM],
            &cons,
            settings(),
            |x, g| {
                g[0] = 2.0 * (x[0] - 1.5);
                (x[0] - 1.5).powi(2)
            },
            |_| ident(1),
        );
        assert!(out.converged && (out.x[0] - 1.5).abs() < 1e-9, "{out:?}");
    }
}
