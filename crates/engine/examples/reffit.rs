use frontier_engine::*;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let t = parse_runs(&text);
    let d = Dataset::build(&t.runs, data::Needs::ParamsAndTokens, 5, 5).unwrap();
    let mut opts = FitOptions::hoffmann(LawKind::Chinchilla);
    if let Ok(v) = std::env::var("FTOL") {
        opts.lbfgs.ftol = v.parse().unwrap();
    }
    if let Ok(v) = std::env::var("GTOL") {
        opts.lbfgs.gtol = v.parse().unwrap();
    }
    let t0 = std::time::Instant::now();
    let r = fit(LawKind::Chinchilla, &d, &opts).unwrap();
    println!("{:?}", t0.elapsed());
    println!(
        "{:.10} {:?} conv {} near {} evals {}",
        r.objective, r.params, r.converged, r.near_best, r.evaluations
    );
}
