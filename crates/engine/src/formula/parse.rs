//! Formula text to a syntax tree.
//!
//! Grammar (usual precedence; `^` binds tighter than unary minus and is
//! right-associative, so `-x^2` is `-(x^2)` and `2^-x` is `2^(-x)`):
//!
//! ```text
//! sum     := product (('+' | '-') product)*
//! product := unary (('*' | '/') unary)*
//! unary   := '-' unary | '+' unary | power
//! power   := atom ('^' unary)?
//! atom    := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
//! name    := letter (letter | digit | '_')*  |  `any text`  |  "any text"
//! ```
//!
//! Numbers are decimal with an optional exponent (`1.5e-3`, `.5`). A name in
//! backticks or double quotes may hold spaces or slashes, so that any header
//! of a pasted table (`train/loss`) can be used as a column.
//!
//! Definitions may come first, each ended by `;`, and are substituted where
//! their name is used later (shared, not recomputed, on the tape):
//!
//! ```text
//! Dp = U + U*R_D*(1 - exp(-R/R_D));
//! E + A/N^alpha + B/Dp^beta
//! ```

use std::fmt;
use std::rc::Rc;

/// A place in the formula text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub line: usize,
    pub column: usize,
}

/// A problem with a formula, located at the character where it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormulaError {
    pub at: Span,
    pub message: String,
}

impl FormulaError {
    pub(crate) fn new(at: Span, message: impl Into<String>) -> Self {
        FormulaError {
            at,
            message: message.into(),
        }
    }

    /// The offending line of `text` with a caret under the column, as
    /// compilers print it.
    pub fn caret(&self, text: &str) -> String {
        let line = text.lines().nth(self.at.line - 1).unwrap_or("");
        format!(
            "{line}\n{}^ {}",
            " ".repeat(self.at.column.saturating_sub(1)),
            self.message
        )
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.at.line, self.at.column, self.message
        )
    }
}

impl std::error::Error for FormulaError {}

/// The functions of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    Exp,
    Ln,
    Sqrt,
    Min,
    Max,
    Sigmoid,
}

impl Func {
    /// Every spelling the language accepts, with its function.
    pub const NAMES: [(&'static str, Func); 7] = [
        ("exp", Func::Exp),
        ("ln", Func::Ln),
        ("log", Func::Ln),
        ("sqrt", Func::Sqrt),
        ("min", Func::Min),
        ("max", Func::Max),
        ("sigmoid", Func::Sigmoid),
    ];

    pub fn from_name(name: &str) -> Option<Func> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }

    pub fn arity(self) -> usize {
        match self {
            Func::Min | Func::Max => 2,
            _ => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Sqrt => "sqrt",
            Func::Min => "min",
            Func::Max => "max",
            Func::Sigmoid => "sigmoid",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// The syntax tree. A defined name's uses share its tree ([`Expr::Shared`]),
/// so a chain of definitions stays as small as its text: every walk over
/// the tree visits a shared tree once (by its address).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Name(String, Span),
    Call(Func, Vec<Expr>, Span),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Shared(Rc<Expr>),
}

impl Expr {
    /// Every name used, with where it first appears, in order of appearance.
    pub fn names(&self) -> Vec<(String, Span)> {
        fn walk(e: &Expr, out: &mut Vec<(String, Span)>, seen: &mut Vec<*const Expr>) {
            match e {
                Expr::Num(_) => {}
                Expr::Name(n, s) => {
                    if !out.iter().any(|(m, _)| m == n) {
                        out.push((n.clone(), *s));
                    }
                }
                Expr::Call(_, args, _) => args.iter().for_each(|a| walk(a, out, seen)),
                Expr::Neg(a) => walk(a, out, seen),
                Expr::Bin(_, a, b) => {
                    walk(a, out, seen);
                    walk(b, out, seen);
                }
                Expr::Shared(r) => {
                    let ptr = Rc::as_ptr(r);
                    if !seen.contains(&ptr) {
                        seen.push(ptr);
                        walk(r, out, seen);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out, &mut Vec::new());
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(char),
    End,
}

#[derive(Clone)]
struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    col: usize,
    tokens: usize,
}

/// Longest formula accepted, in characters: keeps a pasted essay (or a
/// hostile link) from building a huge tape.
pub const MAX_FORMULA_CHARS: usize = 4000;
/// Most tokens a formula may have: bounds the tree's depth (a chain such as
/// N+N+...+N nests one level per operator) and so the recursion of every
/// walk over it, far above any law (Chinchilla's has 15).
pub const MAX_TOKENS: usize = 600;
/// Deepest nesting of parentheses and operators accepted.
const MAX_DEPTH: usize = 200;

impl Lexer {
    fn span(&self) -> Span {
        Span {
            line: self.line,
            column: self.col,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = *self.chars.get(self.pos)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// The next token and where it starts.
    fn next(&mut self) -> Result<(Tok, Span), FormulaError> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
        let at = self.span();
        self.tokens += 1;
        if self.tokens > MAX_TOKENS {
            return Err(FormulaError::new(
                at,
                format!("the formula has more than {MAX_TOKENS} numbers, names and operators"),
            ));
        }
        let Some(c) = self.peek() else {
            return Ok((Tok::End, at));
        };
        if c.is_ascii_digit() || c == '.' {
            let mut s = String::new();
            while let Some(d) = self.peek() {
                let exp_sign = (d == '+' || d == '-') && s.ends_with(['e', 'E']);
                if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exp_sign {
                    // An 'e' only belongs to the number when a digit or sign follows.
                    if (d == 'e' || d == 'E')
                        && !self
                            .chars
                            .get(self.pos + 1)
                            .is_some_and(|n| n.is_ascii_digit() || *n == '+' || *n == '-')
                    {
                        break;
                    }
                    s.push(d);
                    self.bump();
                } else {
                    break;
                }
            }
            return match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok((Tok::Num(v), at)),
                _ => Err(FormulaError::new(at, format!("\"{s}\" is not a number"))),
            };
        }
        if c.is_alphabetic() || c == '_' {
            let mut s = String::new();
            while let Some(d) = self.peek() {
                if d.is_alphanumeric() || d == '_' {
                    s.push(d);
                    self.bump();
                } else {
                    break;
                }
            }
            return Ok((Tok::Name(s), at));
        }
        if c == '`' || c == '"' {
            self.bump();
            let mut s = String::new();
            loop {
                match self.bump() {
                    Some(d) if d == c => break,
                    Some('\n') | None => {
                        return Err(FormulaError::new(
                            at,
                            format!("this quoted name has no closing {c}"),
                        ))
                    }
                    Some(d) => s.push(d),
                }
            }
            if s.trim().is_empty() {
                return Err(FormulaError::new(at, "empty quoted name"));
            }
            return Ok((Tok::Name(s.trim().to_string()), at));
        }
        if "+-*/^(),=;".contains(c) {
            self.bump();
            return Ok((Tok::Op(c), at));
        }
        Err(FormulaError::new(
            at,
            format!("unexpected character '{c}'; a formula uses numbers, names, + - * / ^, parentheses and functions"),
        ))
    }
}

struct Parser {
    lexer: Lexer,
    tok: Tok,
    at: Span,
    depth: usize,
    /// Definitions so far, shared where their names are used.
    defs: Vec<(String, Rc<Expr>)>,
}

impl Parser {
    fn advance(&mut self) -> Result<(), FormulaError> {
        let (t, s) = self.lexer.next()?;
        self.tok = t;
        self.at = s;
        Ok(())
    }

    fn describe(&self) -> String {
        match &self.tok {
            Tok::Num(v) => format!("the number {v}"),
            Tok::Name(n) => format!("\"{n}\""),
            Tok::Op(c) => format!("'{c}'"),
            Tok::End => "the end of the formula".into(),
        }
    }

    fn expected(&self, what: &str) -> FormulaError {
        FormulaError::new(
            self.at,
            format!("expected {what}, found {}", self.describe()),
        )
    }

    fn enter(&mut self) -> Result<(), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FormulaError::new(self.at, "the formula nests too deeply"));
        }
        Ok(())
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        self.enter()?;
        let mut e = self.product()?;
        while let Tok::Op(c @ ('+' | '-')) = self.tok {
            self.advance()?;
            let rhs = self.product()?;
            let op = if c == '+' { BinOp::Add } else { BinOp::Sub };
            e = Expr::Bin(op, Box::new(e), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut e = self.unary()?;
        while let Tok::Op(c @ ('*' | '/')) = self.tok {
            self.advance()?;
            let rhs = self.unary()?;
            let op = if c == '*' { BinOp::Mul } else { BinOp::Div };
            e = Expr::Bin(op, Box::new(e), Box::new(rhs));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        self.enter()?;
        let e = match self.tok {
            Tok::Op('-') => {
                self.advance()?;
                Expr::Neg(Box::new(self.unary()?))
            }
            Tok::Op('+') => {
                self.advance()?;
                self.unary()?
            }
            _ => self.power()?,
        };
        self.depth -= 1;
        Ok(e)
    }

    fn power(&mut self) -> Result<Expr, FormulaError> {
        let base = self.atom()?;
        if self.tok == Tok::Op('^') {
            self.advance()?;
            let exp = self.unary()?;
            return Ok(Expr::Bin(BinOp::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        let at = self.at;
        match self.tok.clone() {
            Tok::Num(v) => {
                self.advance()?;
                Ok(Expr::Num(v))
            }
            Tok::Name(name) => {
                self.advance()?;
                if self.tok != Tok::Op('(') {
                    if let Some((_, e)) = self.defs.iter().find(|(n, _)| *n == name) {
                        return Ok(Expr::Shared(e.clone()));
                    }
                    return Ok(Expr::Name(name, at));
                }
                let Some(func) = Func::from_name(&name) else {
                    let known: Vec<&str> = Func::NAMES.iter().map(|(n, _)| *n).collect();
                    return Err(FormulaError::new(
                        at,
                        format!(
                            "unknown function \"{name}\"; the functions are {}",
                            known.join(", ")
                        ),
                    ));
                };
                self.advance()?;
                let mut args = vec![self.sum()?];
                while self.tok == Tok::Op(',') {
                    self.advance()?;
                    args.push(self.sum()?);
                }
                if self.tok != Tok::Op(')') {
                    return Err(self.expected("',' or ')'"));
                }
                if args.len() != func.arity() {
                    return Err(FormulaError::new(
                        at,
                        format!(
                            "{} takes {} argument{}, got {}",
                            func.name(),
                            func.arity(),
                            if func.arity() == 1 { "" } else { "s" },
                            args.len()
                        ),
                    ));
                }
                self.advance()?;
                Ok(Expr::Call(func, args, at))
            }
            Tok::Op('(') => {
                self.advance()?;
                let e = self.sum()?;
                if self.tok != Tok::Op(')') {
                    return Err(self.expected("')'"));
                }
                self.advance()?;
                Ok(e)
            }
            _ => Err(self.expected("a number, a name or '('")),
        }
    }
}

/// Parse formula text into a tree.
pub fn parse(text: &str) -> Result<Expr, FormulaError> {
    parse_with_definitions(text).map(|(_, e)| e)
}

/// A formula's definitions, in order, each with the tree its uses share
/// ([`Expr::Shared`] of the same address), and the formula itself: what a
/// translation to another language needs to keep the definitions' names.
pub type Definitions = Vec<(String, Rc<Expr>)>;

/// [`parse`], keeping the definitions.
pub fn parse_with_definitions(text: &str) -> Result<(Definitions, Expr), FormulaError> {
    let start = Span { line: 1, column: 1 };
    if text.chars().count() > MAX_FORMULA_CHARS {
        return Err(FormulaError::new(
            start,
            format!("the formula is longer than {MAX_FORMULA_CHARS} characters"),
        ));
    }
    let mut p = Parser {
        lexer: Lexer {
            chars: text.chars().collect(),
            pos: 0,
            line: 1,
            col: 1,
            tokens: 0,
        },
        tok: Tok::End,
        at: start,
        depth: 0,
        defs: Vec::new(),
    };
    p.advance()?;
    if p.tok == Tok::End {
        return Err(FormulaError::new(p.at, "the formula is empty"));
    }
    // `name = expr;` definitions, then the formula itself. A definition is
    // recognised by its first two tokens (a name, then '='), before any
    // earlier definition is substituted into it.
    while let Tok::Name(name) = p.tok.clone() {
        let mut ahead = p.lexer.clone();
        if ahead.next()?.0 != Tok::Op('=') {
            break;
        }
        let at = p.at;
        if Func::from_name(&name).is_some() {
            return Err(FormulaError::new(
                at,
                format!("\"{name}\" is a function and cannot be redefined"),
            ));
        }
        if p.defs.iter().any(|(n, _)| *n == name) {
            return Err(FormulaError::new(
                at,
                format!("\"{name}\" is defined twice"),
            ));
        }
        p.advance()?;
        p.advance()?;
        let body = p.sum()?;
        if p.tok != Tok::Op(';') {
            return Err(p.expected("';' after the definition"));
        }
        p.advance()?;
        p.defs.push((name, Rc::new(body)));
        if p.tok == Tok::End {
            return Err(FormulaError::new(
                p.at,
                "the definitions must be followed by the formula itself",
            ));
        }
    }
    let e = p.sum()?;
    if p.tok == Tok::Op('=') {
        return Err(FormulaError::new(
            p.at,
            "only a name can be defined: write `name = expression;`",
        ));
    }
    if p.tok != Tok::End {
        let what = if p.tok == Tok::Op(')') {
            "an operator; this ')' has no matching '('".to_string()
        } else {
            format!("an operator, found {}", p.describe())
        };
        return Err(FormulaError::new(p.at, format!("expected {what}")));
    }
    Ok((p.defs, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_associativity() {
        let e = parse("-x^2").unwrap();
        assert!(matches!(e, Expr::Neg(_)));
        let e = parse("2^3^2").unwrap();
        let Expr::Bin(BinOp::Pow, _, rhs) = e else {
            panic!()
        };
        assert!(matches!(*rhs, Expr::Bin(BinOp::Pow, _, _)));
        let e = parse("a - b - c").unwrap();
        let Expr::Bin(BinOp::Sub, lhs, _) = e else {
            panic!()
        };
        assert!(matches!(*lhs, Expr::Bin(BinOp::Sub, _, _)));
    }

    #[test]
    fn errors_point_at_the_character() {
        let e = parse("E + A/N^alpha + (B/D^beta").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1, column 26: expected ')', found the end of the formula"
        );
        let e = parse("E + lg(N)").unwrap_err();
        assert_eq!(e.at.column, 5);
        assert!(e.message.contains("unknown function \"lg\""), "{e}");
        assert!(e.message.contains("sigmoid"), "{e}");
        let e = parse("E + * A").unwrap_err();
        assert_eq!(e.at.column, 5);
        let e = parse("E + A)").unwrap_err();
        assert!(e.message.contains("no matching"), "{e}");
        let e = parse("min(a)").unwrap_err();
        assert!(e.message.contains("2 arguments"), "{e}");
        let e = parse("E $ 2").unwrap_err();
        assert_eq!(e.at.column, 3);
        assert!(parse("").is_err());
        assert_eq!(
            parse("1 +\n  (2").unwrap_err().caret("1 +\n  (2"),
            "  (2\n    ^ expected ')', found the end of the formula"
        );
    }

    #[test]
    fn numbers_names_and_quoted_headers() {
        assert_eq!(parse("1.5e-3").unwrap(), Expr::Num(1.5e-3));
        assert_eq!(parse(".5").unwrap(), Expr::Num(0.5));
        let names: Vec<String> = parse("`train/loss` * e1 + \"unique tokens\" + exp(x)")
            .unwrap()
            .names()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["train/loss", "e1", "unique tokens", "x"]);
        // 2e is not a number with an exponent: "2" then the name "e".
        assert!(parse("2e").is_err());
    }

    #[test]
    fn definitions_are_substituted() {
        let e = parse("x = N/2;\n y = x*x; E + y").unwrap();
        let names: Vec<String> = e.names().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["E", "N"]);
        assert!(parse("x = 1").unwrap_err().message.contains("';'"));
        assert!(parse("x = 1;").unwrap_err().message.contains("followed by"));
        assert!(parse("2 = 1; x")
            .unwrap_err()
            .message
            .contains("only a name"));
        // A definition's name is read as written, never substituted.
        let e = parse("x = N; x = D; x").unwrap_err();
        assert!(e.message.contains("defined twice"), "{e}");
        assert_eq!(e.at.column, 8);
    }

    #[test]
    fn a_chain_of_definitions_stays_small() {
        let mut text = String::from("a0 = N;");
        for i in 1..40 {
            text += &format!(" a{i} = a{}*a{};", i - 1, i - 1);
        }
        text += " E + a39";
        let e = parse(&text).unwrap();
        let names: Vec<String> = e.names().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["E", "N"]);
        let chain = vec!["N"; 700].join("+");
        assert!(parse(&chain).unwrap_err().message.contains("more than 600"));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "(".repeat(3000) + "1" + &")".repeat(3000);
        assert!(parse(&deep).is_err());
        let deep = "-".repeat(3000) + "1";
        assert!(parse(&deep).is_err());
    }
}
