use frontier_engine::*;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let t = parse_runs(&text);
    let d = Dataset::build(&t.runs, data::Needs::ParamsAndTokens, 5, 5).unwrap();
    let mut opts = FitOptions::hoffmann(LawKind::Chinchilla);
    let env = |k: &str| std::env::var(k).ok().map(|v| v.parse::<f64>().unwrap());
    if let Some(v) = env("FTOL") {
        opts.lbfgs.ftol = v;
    }
    if let Some(v) = env("GTOL") {
        opts.lbfgs.gtol = v;
    }
    if let Some(v) = env("FSCALE") {
        opts.lbfgs.fscale = v;
    }
    let t0 = std::time::Instant::now();
    let r = fit(LawKind::Chinchilla, &d, &opts).unwrap();
    println!("{:?}", t0.elapsed());
    println!(
        "{:.13} {:?} conv {} near {} evals {}",
        r.objective, r.params, r.converged, r.near_best, r.evaluations
    );
}
