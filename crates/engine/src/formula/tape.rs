//! A formula compiled to a tape, evaluated over whole columns of points with
//! its exact gradient by reverse mode.
//!
//! Compilation turns the tree into a list of nodes in dependency order,
//! sharing repeated subexpressions and folding constants. Every node belongs
//! to one of three stages, after what it depends on:
//! - data (columns and constants only, e.g. `ln N`): computed once, when the
//!   data is prepared;
//! - parameters (parameters and constants only, e.g. `exp(a)`): computed once
//!   per objective evaluation, as plain numbers;
//! - points (both): computed per point, one instruction at a time over a
//!   block of points held in pairs of f64 lanes ([`Lanes`]), the same lanes
//!   and own exp and ln as the Chinchilla kernel, so WebAssembly SIMD and the
//!   portable twin give the same bits.
//!
//! Powers are rewritten for speed and exactness: `x^k` for a whole constant
//! k (|k| <= 64) is repeated multiplication, `x^0.5` is `sqrt x`, any other
//! `x^y` is `exp(y ln x)`, so `A / N^alpha` costs one multiplication and one
//! exp per point (`ln N` is a data-stage column).
//!
//! The gradient: a forward sweep keeps every node's value over the block;
//! the backward sweep runs the nodes in reverse, each adding its adjoint
//! times its local derivative to its arguments' adjoints (Griewank and
//! Walther, "Evaluating Derivatives", ch. 3). Adjoints of parameter-stage
//! nodes are summed over all points, then swept back through the parameter
//! stage to the parameters.

use super::parse::{BinOp, Expr, FormulaError, Func, Span};
use crate::kernel::{Lanes, Pair};
use std::collections::HashMap;

/// What a name in a formula stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// The i-th data column.
    Column(usize),
    /// The i-th parameter.
    Param(usize),
}

/// One node of the tape; arguments are indices of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Const(f64),
    Column(u32),
    Param(u32),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Div(u32, u32),
    Neg(u32),
    Exp(u32),
    Ln(u32),
    Sqrt(u32),
    PowI(u32, i32),
    Min(u32, u32),
    Max(u32, u32),
    Sigmoid(u32),
}

impl Op {
    fn args(self) -> (Option<u32>, Option<u32>) {
        use Op::*;
        match self {
            Const(_) | Column(_) | Param(_) => (None, None),
            Add(a, b) | Sub(a, b) | Mul(a, b) | Div(a, b) | Min(a, b) | Max(a, b) => {
                (Some(a), Some(b))
            }
            Neg(a) | Exp(a) | Ln(a) | Sqrt(a) | PowI(a, _) | Sigmoid(a) => (Some(a), None),
        }
    }

    /// A hashable identity for sharing repeated subexpressions.
    fn key(self) -> (u8, u32, u32, u64) {
        use Op::*;
        let (a, b) = self.args();
        let (a, b) = (a.unwrap_or(0), b.unwrap_or(0));
        match self {
            Const(v) => (0, 0, 0, v.to_bits()),
            Column(i) => (1, i, 0, 0),
            Param(i) => (2, i, 0, 0),
            Add(..) => (3, a, b, 0),
            Sub(..) => (4, a, b, 0),
            Mul(..) => (5, a, b, 0),
            Div(..) => (6, a, b, 0),
            Neg(_) => (7, a, 0, 0),
            Exp(_) => (8, a, 0, 0),
            Ln(_) => (9, a, 0, 0),
            Sqrt(_) => (10, a, 0, 0),
            PowI(_, k) => (11, a, 0, k as u32 as u64),
            Min(..) => (12, a, b, 0),
            Max(..) => (13, a, b, 0),
            Sigmoid(_) => (14, a, 0, 0),
        }
    }
}

/// ln for positive finite normal inputs; NaN for anything else (zero,
/// negatives, infinities), which the optimiser treats as a step too far.
#[inline(always)]
fn ln_checked<L: Lanes>(x: L) -> L {
    let nan = L::splat(f64::NAN);
    let v = x.ln();
    let v = x.select_gt(L::splat(f64::MIN_POSITIVE), v, nan);
    x.select_le(L::splat(f64::MAX), v, nan)
}

/// exp, with +infinity above ln(f64::MAX) (the lanes' exp clamps its input
/// there, which would hide the overflow from the optimiser and break the
/// chain rule).
#[inline(always)]
fn exp_checked<L: Lanes>(x: L) -> L {
    x.select_gt(L::splat(709.78), L::splat(f64::INFINITY), x.exp())
}

#[inline(always)]
fn powi<L: Lanes>(x: L, k: i32) -> L {
    let mut n = k.unsigned_abs();
    let mut base = x;
    let mut acc = L::splat(1.0);
    while n > 0 {
        if n & 1 == 1 {
            acc = acc.mul(base);
        }
        n >>= 1;
        if n > 0 {
            base = base.mul(base);
        }
    }
    if k < 0 {
        L::splat(1.0).div(acc)
    } else {
        acc
    }
}

#[inline(always)]
fn sigmoid<L: Lanes>(x: L) -> L {
    // exp's input is clamped to [-708, 709], so 1 + exp(-x) never overflows.
    let one = L::splat(1.0);
    one.div(one.add(L::splat(0.0).sub(x).exp()))
}

/// 0 for a finite value, NaN for NaN (and for infinities).
#[inline(always)]
fn nan_of<L: Lanes>(x: L) -> L {
    x.mul(L::splat(0.0))
}

/// The value of a computing node from its arguments' values.
#[inline(always)]
fn forward<L: Lanes>(op: Op, a: L, b: L) -> L {
    use Op::*;
    match op {
        Add(..) => a.add(b),
        Sub(..) => a.sub(b),
        Mul(..) => a.mul(b),
        Div(..) => a.div(b),
        Neg(_) => L::splat(0.0).sub(a),
        Exp(_) => exp_checked(a),
        Ln(_) => ln_checked(a),
        Sqrt(_) => a.sqrt(),
        PowI(_, k) => powi(a, k),
        // Adding 0 * a + 0 * b keeps a NaN argument NaN (a comparison alone
        // would pick the other one) and changes nothing else.
        Min(..) => a.select_le(b, a, b).add(nan_of(a)).add(nan_of(b)),
        Max(..) => b.select_le(a, a, b).add(nan_of(a)).add(nan_of(b)),
        Sigmoid(_) => sigmoid(a),
        Const(_) | Column(_) | Param(_) => unreachable!("leaves are loaded, not computed"),
    }
}

/// Adjoint contributions to the arguments of a node with value `v` and
/// adjoint `g`.
#[inline(always)]
fn backward<L: Lanes>(op: Op, a: L, b: L, v: L, g: L) -> (L, L) {
    use Op::*;
    let zero = L::splat(0.0);
    match op {
        Add(..) => (g, g),
        Sub(..) => (g, zero.sub(g)),
        Mul(..) => (g.mul(b), g.mul(a)),
        Div(..) => {
            let gb = g.div(b);
            (gb, zero.sub(gb.mul(v)))
        }
        Neg(_) => (zero.sub(g), zero),
        Exp(_) => (g.mul(v), zero),
        Ln(_) => (g.div(a), zero),
        Sqrt(_) => (g.mul(L::splat(0.5)).div(v), zero),
        PowI(_, k) => (g.mul(L::splat(k as f64)).mul(powi(a, k - 1)), zero),
        Min(..) => (a.select_le(b, g, zero), a.select_le(b, zero, g)),
        Max(..) => (b.select_le(a, g, zero), b.select_le(a, zero, g)),
        Sigmoid(_) => (g.mul(v).mul(L::splat(1.0).sub(v)), zero),
        Const(_) | Column(_) | Param(_) => (zero, zero),
    }
}

/// Run one point-stage node over a block: `out[p] = f(x[p], y[p])`, with
/// the operation fixed per call so each loop is compiled for its operation
/// (the same IEEE operations as [`forward`], whose match then folds away).
#[inline(always)]
fn forward_block<L: Lanes>(op: Op, vals: &mut [L], o: usize, xs: usize, ys: usize, pairs: usize) {
    #[inline(always)]
    fn run<L: Lanes>(
        vals: &mut [L],
        o: usize,
        xs: usize,
        ys: usize,
        pairs: usize,
        f: impl Fn(L, L) -> L,
    ) {
        for p in 0..pairs {
            vals[o + p] = f(vals[xs + p], vals[ys + p]);
        }
    }
    use Op::*;
    match op {
        Add(..) => run(vals, o, xs, ys, pairs, |a, b| forward(Add(0, 0), a, b)),
        Sub(..) => run(vals, o, xs, ys, pairs, |a, b| forward(Sub(0, 0), a, b)),
        Mul(..) => run(vals, o, xs, ys, pairs, |a, b| forward(Mul(0, 0), a, b)),
        Div(..) => run(vals, o, xs, ys, pairs, |a, b| forward(Div(0, 0), a, b)),
        Neg(_) => run(vals, o, xs, ys, pairs, |a, b| forward(Neg(0), a, b)),
        Exp(_) => run(vals, o, xs, ys, pairs, |a, b| forward(Exp(0), a, b)),
        Ln(_) => run(vals, o, xs, ys, pairs, |a, b| forward(Ln(0), a, b)),
        Sqrt(_) => run(vals, o, xs, ys, pairs, |a, b| forward(Sqrt(0), a, b)),
        PowI(_, k) => run(vals, o, xs, ys, pairs, |a, b| forward(PowI(0, k), a, b)),
        Min(..) => run(vals, o, xs, ys, pairs, |a, b| forward(Min(0, 0), a, b)),
        Max(..) => run(vals, o, xs, ys, pairs, |a, b| forward(Max(0, 0), a, b)),
        Sigmoid(_) => run(vals, o, xs, ys, pairs, |a, b| forward(Sigmoid(0), a, b)),
        Const(_) | Column(_) | Param(_) => unreachable!("leaves are loaded, not computed"),
    }
}

/// The backward sweep of one point-stage node over a block (see
/// [`forward_block`]): adds its adjoint times its local derivatives to its
/// arguments' adjoints. `at` holds the slots of the node and its arguments.
#[inline(always)]
fn backward_block<L: Lanes>(
    op: Op,
    vals: &[L],
    adj: &mut [L],
    at: [usize; 3],
    pairs: usize,
    need_x: bool,
    need_y: bool,
) {
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn run<L: Lanes>(
        vals: &[L],
        adj: &mut [L],
        [o, xs, ys]: [usize; 3],
        pairs: usize,
        need_x: bool,
        need_y: bool,
        f: impl Fn(L, L, L, L) -> (L, L),
    ) {
        for p in 0..pairs {
            let (da, db) = f(vals[xs + p], vals[ys + p], vals[o + p], adj[o + p]);
            if need_x {
                adj[xs + p] = adj[xs + p].add(da);
            }
            if need_y {
                adj[ys + p] = adj[ys + p].add(db);
            }
        }
    }
    use Op::*;
    macro_rules! go {
        ($op:expr) => {
            run(vals, adj, at, pairs, need_x, need_y, |a, b, v, g| {
                backward($op, a, b, v, g)
            })
        };
    }
    match op {
        Add(..) => go!(Add(0, 0)),
        Sub(..) => go!(Sub(0, 0)),
        Mul(..) => go!(Mul(0, 0)),
        Div(..) => go!(Div(0, 0)),
        Neg(_) => go!(Neg(0)),
        Exp(_) => go!(Exp(0)),
        Ln(_) => go!(Ln(0)),
        Sqrt(_) => go!(Sqrt(0)),
        PowI(_, k) => go!(PowI(0, k)),
        Min(..) => go!(Min(0, 0)),
        Max(..) => go!(Max(0, 0)),
        Sigmoid(_) => go!(Sigmoid(0)),
        Const(_) | Column(_) | Param(_) => {}
    }
}

const DATA: u8 = 1;
const PARAM: u8 = 2;
const POINT: u8 = DATA | PARAM;

/// Points per block of the point stage (in pairs of lanes).
const PAIRS: usize = 32;

/// A compiled formula.
#[derive(Clone, Debug, PartialEq)]
pub struct Tape {
    nodes: Vec<Op>,
    flags: Vec<u8>,
    output: u32,
    columns: usize,
    params: usize,
    /// Data-stage nodes whose columns the point stage reads, with the index
    /// of their column in [`Columns::cols`] (every data node is stored).
    data_col: Vec<u32>,
    /// Slot of each node in the point stage's block buffer (u32::MAX: none).
    slot: Vec<u32>,
    slots: usize,
    /// Point-stage nodes, in order.
    point_nodes: Vec<u32>,
    /// Nodes loaded into slots: data columns per block, scalars once.
    load_data: Vec<u32>,
    load_scalar: Vec<u32>,
    /// Slots whose adjoints matter (point and parameter stage).
    needs_adjoint: Vec<bool>,
}

/// Data prepared for one tape: every data-stage column, padded to an even
/// length, the log of the target and a weight (0 for the padding).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Number of real points.
    pub len: usize,
    cols: Vec<Vec<f64>>,
    pub ln_target: Vec<f64>,
    weight: Vec<f64>,
}

impl Columns {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

struct Builder {
    nodes: Vec<Op>,
    flags: Vec<u8>,
    seen: HashMap<(u8, u32, u32, u64), u32>,
    /// Shared subtrees (definitions) already lowered, by address.
    shared: HashMap<*const Expr, u32>,
}

impl Builder {
    fn push(&mut self, op: Op) -> u32 {
        if let Some(&i) = self.seen.get(&op.key()) {
            return i;
        }
        let flags = match op {
            Op::Const(_) => 0,
            Op::Column(_) => DATA,
            Op::Param(_) => PARAM,
            _ => {
                let (a, b) = op.args();
                a.map_or(0, |a| self.flags[a as usize]) | b.map_or(0, |b| self.flags[b as usize])
            }
        };
        // Fold constants with the same lane functions the tape runs.
        if flags == 0 && !matches!(op, Op::Const(_)) {
            let get = |i: Option<u32>| match i.map(|i| self.nodes[i as usize]) {
                Some(Op::Const(v)) => Pair::splat(v),
                _ => Pair::splat(0.0),
            };
            let (a, b) = op.args();
            return self.constant(forward(op, get(a), get(b)).0[0]);
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(op);
        self.flags.push(flags);
        self.seen.insert(op.key(), i);
        i
    }

    fn constant(&mut self, v: f64) -> u32 {
        self.push(Op::Const(v))
    }

    /// -x, with the sign moved onto a factor computed once per evaluation
    /// when x is such a factor times a per-point value.
    fn negate(&mut self, x: u32) -> u32 {
        match self.nodes[x as usize] {
            Op::Mul(p, q) if self.flags[p as usize] & DATA == 0 => {
                let np = self.push(Op::Neg(p));
                self.push(Op::Mul(np, q))
            }
            Op::Mul(q, p) if self.flags[p as usize] & DATA == 0 => {
                let np = self.push(Op::Neg(p));
                self.push(Op::Mul(q, np))
            }
            Op::Neg(y) => y,
            _ => self.push(Op::Neg(x)),
        }
    }

    fn const_value(&self, i: u32) -> Option<f64> {
        match self.nodes[i as usize] {
            Op::Const(v) => Some(v),
            _ => None,
        }
    }

    fn binary(&mut self, op: BinOp, a: u32, b: u32) -> u32 {
        let (ca, cb) = (self.const_value(a), self.const_value(b));
        match op {
            BinOp::Add if ca == Some(0.0) => b,
            BinOp::Add | BinOp::Sub if cb == Some(0.0) => a,
            BinOp::Mul if ca == Some(1.0) => b,
            BinOp::Mul | BinOp::Div if cb == Some(1.0) => a,
            BinOp::Add => self.push(Op::Add(a, b)),
            BinOp::Sub => self.push(Op::Sub(a, b)),
            BinOp::Mul => self.push(Op::Mul(a, b)),
            // a / exp(x) = a * exp(-x): a multiplication instead of a
            // division, forward and backward (A / N^alpha becomes
            // A * exp((-alpha) ln N), with -alpha computed once per
            // evaluation).
            BinOp::Div if matches!(self.nodes[b as usize], Op::Exp(_)) => {
                let Op::Exp(x) = self.nodes[b as usize] else {
                    unreachable!()
                };
                let nx = self.negate(x);
                let e = self.push(Op::Exp(nx));
                self.binary(BinOp::Mul, a, e)
            }
            BinOp::Div => self.push(Op::Div(a, b)),
            BinOp::Pow => match cb {
                Some(k) if k == k.trunc() && k.abs() <= 64.0 => match k as i32 {
                    0 => self.constant(1.0),
                    1 => a,
                    k => self.push(Op::PowI(a, k)),
                },
                Some(0.5) => self.push(Op::Sqrt(a)),
                _ => {
                    let l = self.push(Op::Ln(a));
                    let m = self.binary(BinOp::Mul, b, l);
                    self.push(Op::Exp(m))
                }
            },
        }
    }

    fn lower(
        &mut self,
        e: &Expr,
        resolve: &dyn Fn(&str, Span) -> Result<Leaf, FormulaError>,
    ) -> Result<u32, FormulaError> {
        Ok(match e {
            Expr::Num(v) => self.constant(*v),
            Expr::Shared(r) => {
                let ptr = std::rc::Rc::as_ptr(r);
                match self.shared.get(&ptr) {
                    Some(&i) => i,
                    None => {
                        let i = self.lower(r, resolve)?;
                        self.shared.insert(ptr, i);
                        i
                    }
                }
            }
            Expr::Name(n, s) => match resolve(n, *s)? {
                Leaf::Column(i) => self.push(Op::Column(i as u32)),
                Leaf::Param(i) => self.push(Op::Param(i as u32)),
            },
            Expr::Neg(a) => {
                let a = self.lower(a, resolve)?;
                self.push(Op::Neg(a))
            }
            Expr::Bin(op, a, b) => {
                let a = self.lower(a, resolve)?;
                let b = self.lower(b, resolve)?;
                self.binary(*op, a, b)
            }
            Expr::Call(f, args, _) => {
                let a = self.lower(&args[0], resolve)?;
                match f {
                    Func::Exp => self.push(Op::Exp(a)),
                    Func::Ln => self.push(Op::Ln(a)),
                    Func::Sqrt => self.push(Op::Sqrt(a)),
                    Func::Sigmoid => self.push(Op::Sigmoid(a)),
                    Func::Min | Func::Max => {
                        let b = self.lower(&args[1], resolve)?;
                        if *f == Func::Min {
                            self.push(Op::Min(a, b))
                        } else {
                            self.push(Op::Max(a, b))
                        }
                    }
                }
            }
        })
    }
}

impl Tape {
    /// Compile a tree. `resolve` says what each name is; `columns` and
    /// `params` are how many of each `resolve` can return.
    pub fn compile(
        e: &Expr,
        columns: usize,
        params: usize,
        resolve: &dyn Fn(&str, Span) -> Result<Leaf, FormulaError>,
    ) -> Result<Tape, FormulaError> {
        let mut b = Builder {
            nodes: Vec::new(),
            flags: Vec::new(),
            seen: HashMap::new(),
            shared: HashMap::new(),
        };
        let out = b.lower(e, resolve)?;
        // Keep only what the output depends on.
        let mut live = vec![false; b.nodes.len()];
        live[out as usize] = true;
        for i in (0..b.nodes.len()).rev() {
            if live[i] {
                let (x, y) = b.nodes[i].args();
                for a in [x, y].into_iter().flatten() {
                    live[a as usize] = true;
                }
            }
        }
        let mut remap = vec![u32::MAX; b.nodes.len()];
        let mut nodes = Vec::new();
        let mut flags = Vec::new();
        for i in 0..b.nodes.len() {
            if !live[i] {
                continue;
            }
            let m = |a: u32| remap[a as usize];
            use Op::*;
            let op = match b.nodes[i] {
                Add(x, y) => Add(m(x), m(y)),
                Sub(x, y) => Sub(m(x), m(y)),
                Mul(x, y) => Mul(m(x), m(y)),
                Div(x, y) => Div(m(x), m(y)),
                Min(x, y) => Min(m(x), m(y)),
                Max(x, y) => Max(m(x), m(y)),
                Neg(x) => Neg(m(x)),
                Exp(x) => Exp(m(x)),
                Ln(x) => Ln(m(x)),
                Sqrt(x) => Sqrt(m(x)),
                PowI(x, k) => PowI(m(x), k),
                Sigmoid(x) => Sigmoid(m(x)),
                leaf => leaf,
            };
            remap[i] = nodes.len() as u32;
            nodes.push(op);
            flags.push(b.flags[i]);
        }
        let output = remap[out as usize];
        let n = nodes.len();

        // Which nodes the point stage touches, and how.
        let mut slot = vec![u32::MAX; n];
        let mut slots = 0u32;
        let mut point_nodes = Vec::new();
        let mut load_data = Vec::new();
        let mut load_scalar = Vec::new();
        let give = |i: u32, slot: &mut Vec<u32>, slots: &mut u32| {
            if slot[i as usize] == u32::MAX {
                slot[i as usize] = *slots;
                *slots += 1;
                true
            } else {
                false
            }
        };
        let operand = |i: u32,
                       slot: &mut Vec<u32>,
                       slots: &mut u32,
                       load_data: &mut Vec<u32>,
                       load_scalar: &mut Vec<u32>| {
            if flags[i as usize] != POINT && give(i, slot, slots) {
                if flags[i as usize] == DATA {
                    load_data.push(i);
                } else {
                    load_scalar.push(i);
                }
            }
        };
        for i in 0..n as u32 {
            if flags[i as usize] != POINT {
                continue;
            }
            let (x, y) = nodes[i as usize].args();
            for a in [x, y].into_iter().flatten() {
                operand(a, &mut slot, &mut slots, &mut load_data, &mut load_scalar);
            }
            slot[i as usize] = slots;
            slots += 1;
            point_nodes.push(i);
        }
        operand(
            output,
            &mut slot,
            &mut slots,
            &mut load_data,
            &mut load_scalar,
        );
        let mut data_col = vec![u32::MAX; n];
        let mut k = 0;
        for i in 0..n {
            if flags[i] == DATA {
                data_col[i] = k;
                k += 1;
            }
        }
        let mut needs_adjoint = vec![false; slots as usize];
        for i in 0..n {
            if slot[i] != u32::MAX && flags[i] & PARAM != 0 {
                needs_adjoint[slot[i] as usize] = true;
            }
        }
        Ok(Tape {
            nodes,
            flags,
            output,
            columns,
            params,
            data_col,
            slot,
            slots: slots as usize,
            point_nodes,
            load_data,
            load_scalar,
            needs_adjoint,
        })
    }

    /// Parameters that the prediction depends on.
    pub fn uses_param(&self, i: usize) -> bool {
        self.nodes.contains(&Op::Param(i as u32))
    }

    /// Columns that the prediction depends on.
    pub fn uses_column(&self, i: usize) -> bool {
        self.nodes.contains(&Op::Column(i as u32))
    }

    /// Number of nodes (a measure of the formula's cost).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Prepare data: `raw[i]` is column i (all the same length), `target`
    /// the observed values the prediction is compared with.
    pub fn prepare(&self, raw: &[&[f64]], target: &[f64]) -> Columns {
        let len = target.len();
        let padded = len + len % 2;
        let pad = |v: &[f64]| {
            let mut v = v.to_vec();
            if len % 2 == 1 {
                v.push(v[len - 1]);
            }
            v
        };
        let mut cols: Vec<Vec<f64>> = Vec::new();
        for (i, op) in self.nodes.iter().enumerate() {
            if self.flags[i] != DATA {
                continue;
            }
            let col = match *op {
                Op::Column(c) => pad(&raw[c as usize][..len]),
                op => {
                    let (x, y) = op.args();
                    let get = |a: Option<u32>, k: usize| -> f64 {
                        match a {
                            None => 0.0,
                            Some(a) => match self.nodes[a as usize] {
                                Op::Const(v) => v,
                                _ => cols[self.data_col[a as usize] as usize][k],
                            },
                        }
                    };
                    (0..padded / 2)
                        .flat_map(|p| {
                            let (k0, k1) = (2 * p, 2 * p + 1);
                            let a = Pair([get(x, k0), get(x, k1)]);
                            let b = Pair([get(y, k0), get(y, k1)]);
                            forward(op, a, b).0
                        })
                        .collect()
                }
            };
            cols.push(col);
        }
        let ln_target: Vec<f64> = target
            .iter()
            .map(|&t| ln_checked(Pair::splat(t)).0[0])
            .collect();
        let mut weight = vec![1.0; len];
        if len % 2 == 1 {
            weight.push(0.0);
        }
        Columns {
            len,
            cols,
            ln_target: pad(&ln_target),
            weight,
        }
    }

    /// Values of the parameter-stage nodes (and constants).
    fn scalars(&self, params: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; self.nodes.len()];
        for (i, op) in self.nodes.iter().enumerate() {
            v[i] = match *op {
                Op::Const(c) => c,
                Op::Param(p) => params[p as usize],
                _ if self.flags[i] == PARAM => {
                    let (x, y) = op.args();
                    let get = |a: Option<u32>| Pair::splat(a.map_or(0.0, |a| v[a as usize]));
                    forward(*op, get(x), get(y)).0[0]
                }
                _ => 0.0,
            };
        }
        v
    }

    /// Every node's value at one point, from its column values (a plain
    /// evaluation of every node, with the functions the fit uses).
    fn values(&self, params: &[f64], columns: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; self.nodes.len()];
        for (i, op) in self.nodes.iter().enumerate() {
            v[i] = match *op {
                Op::Const(c) => c,
                Op::Param(p) => params[p as usize],
                Op::Column(c) => columns[c as usize],
                op => {
                    let (x, y) = op.args();
                    let get = |a: Option<u32>| Pair::splat(a.map_or(0.0, |a| v[a as usize]));
                    forward(op, get(x), get(y)).0[0]
                }
            };
        }
        v
    }

    /// The prediction at one point, from its column values.
    pub fn eval(&self, params: &[f64], columns: &[f64]) -> f64 {
        self.values(params, columns)[self.output as usize]
    }

    /// The prediction and its gradient with respect to the parameters at one
    /// point (plain reverse sweep; the reference the block evaluator is
    /// tested against).
    pub fn eval_with_gradient(&self, params: &[f64], columns: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.nodes.len();
        let v = self.values(params, columns);
        let mut adj = vec![0.0; n];
        adj[self.output as usize] = 1.0;
        self.sweep_back(0..n, &v, &mut adj, grad);
        v[self.output as usize]
    }

    /// The reverse sweep over the nodes `order` (ascending), given every
    /// node's value and its adjoint so far: adds each node's adjoint times
    /// its local derivatives to its arguments', and the parameters' into
    /// `grad` (zeroed first). A node with a zero adjoint passes nothing on.
    fn sweep_back(
        &self,
        order: impl DoubleEndedIterator<Item = usize>,
        v: &[f64],
        adj: &mut [f64],
        grad: &mut [f64],
    ) {
        grad.iter_mut().for_each(|g| *g = 0.0);
        for i in order.rev() {
            if adj[i] == 0.0 {
                continue;
            }
            let op = self.nodes[i];
            if let Op::Param(p) = op {
                grad[p as usize] += adj[i];
                continue;
            }
            let (x, y) = op.args();
            let get = |a: Option<u32>| Pair::splat(a.map_or(0.0, |a| v[a as usize]));
            let (da, db) = backward(op, get(x), get(y), Pair::splat(v[i]), Pair::splat(adj[i]));
            if let Some(x) = x {
                adj[x as usize] += da.0[0];
            }
            if let Some(y) = y {
                adj[y as usize] += db.0[0];
            }
        }
    }

    /// sum_i w_i Huber_delta(ln f(x_i; p) - ln y_i) over the prepared points
    /// and its gradient with respect to the parameters p (into `grad`), in
    /// lanes of type `L`.
    pub fn objective_in<L: Lanes>(
        &self,
        params: &[f64],
        data: &Columns,
        delta: f64,
        grad: &mut [f64],
    ) -> f64 {
        let sv = self.scalars(params);
        let width = self.slots * PAIRS;
        let mut vals = vec![L::splat(0.0); width];
        let mut adj = vec![L::splat(0.0); width];
        for &i in &self.load_scalar {
            let s = self.slot[i as usize] as usize * PAIRS;
            vals[s..s + PAIRS].fill(L::splat(sv[i as usize]));
        }
        let out = self.slot[self.output as usize] as usize * PAIRS;
        let (dl, hd, zero) = (L::splat(delta), L::splat(0.5 * delta), L::splat(0.0));
        let mut f = zero;
        let total_pairs = data.weight.len() / 2;
        let mut start = 0;
        while start < total_pairs {
            let pairs = PAIRS.min(total_pairs - start);
            for &i in &self.load_data {
                let col = &data.cols[self.data_col[i as usize] as usize];
                let s = self.slot[i as usize] as usize * PAIRS;
                for p in 0..pairs {
                    let k = 2 * (start + p);
                    vals[s + p] = L::load(col[k], col[k + 1]);
                }
            }
            for &i in &self.point_nodes {
                let op = self.nodes[i as usize];
                let (x, y) = op.args();
                let o = self.slot[i as usize] as usize * PAIRS;
                let xs = x.map_or(o, |x| self.slot[x as usize] as usize * PAIRS);
                let ys = y.map_or(xs, |y| self.slot[y as usize] as usize * PAIRS);
                forward_block(op, &mut vals, o, xs, ys, pairs);
            }
            // Residuals, Huber terms and the output's adjoint.
            for p in 0..pairs {
                let k = 2 * (start + p);
                let pred = vals[out + p];
                let w = L::load(data.weight[k], data.weight[k + 1]);
                let r = ln_checked(pred).sub(L::load(data.ln_target[k], data.ln_target[k + 1]));
                let a = r.abs();
                let quad = L::splat(0.5).mul(r).mul(r);
                let lin = dl.mul(a.sub(hd));
                f = f.add(w.mul(a.select_le(dl, quad, lin)));
                let h = r.pmax(zero.sub(dl)).pmin(dl);
                adj[out + p] = adj[out + p].add(w.mul(h).div(pred));
            }
            for &i in self.point_nodes.iter().rev() {
                let op = self.nodes[i as usize];
                let (x, y) = op.args();
                let o = self.slot[i as usize] as usize * PAIRS;
                let xs = x.map(|x| self.slot[x as usize] as usize);
                let ys = y.map(|y| self.slot[y as usize] as usize);
                let need_x = xs.is_some_and(|s| self.needs_adjoint[s]);
                let need_y = ys.is_some_and(|s| self.needs_adjoint[s]);
                let (xs, ys) = (
                    xs.unwrap_or(0) * PAIRS,
                    ys.map_or(xs.unwrap_or(0) * PAIRS, |s| s * PAIRS),
                );
                backward_block(op, &vals, &mut adj, [o, xs, ys], pairs, need_x, need_y);
                // This node's adjoint is spent: clear it for the next block.
                adj[o..o + pairs].fill(zero);
            }
            start += pairs;
        }
        // Point-stage adjoints of parameter-stage nodes, summed over the
        // points, then swept back through the parameter stage.
        let mut sadj = vec![0.0; self.nodes.len()];
        for &i in &self.load_scalar {
            let s = self.slot[i as usize] as usize * PAIRS;
            let mut acc = zero;
            for p in 0..PAIRS {
                acc = acc.add(adj[s + p]);
            }
            let l = acc.lanes();
            sadj[i as usize] = l[0] + l[1];
        }
        let params_stage = (0..self.nodes.len()).filter(|&i| self.flags[i] == PARAM);
        self.sweep_back(params_stage, &sv, &mut sadj, grad);
        let l = f.lanes();
        l[0] + l[1]
    }

    /// [`Tape::objective_in`] in WebAssembly SIMD where available, else the
    /// portable twin; both give the same bits.
    pub fn objective(&self, params: &[f64], data: &Columns, delta: f64, grad: &mut [f64]) -> f64 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            self.objective_in::<crate::kernel::simd::Simd>(params, data, delta, grad)
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            self.objective_in::<Pair>(params, data, delta, grad)
        }
    }

    /// Numbers of columns and parameters the tape was compiled for.
    pub fn arity(&self) -> (usize, usize) {
        (self.columns, self.params)
    }
}
