//! The large-data search ([`frontier_engine::fit::LargeData`]): every start on
//! a stratified subsample, the best distinct basins polished on all points.
//! It must find the objective of the exhaustive fit (every start on every
//! point) and give the same report however the starts are shared out.

use frontier_engine::fit::{combine, fit_starts, share_of_starts, Grid, LargeData};
use frontier_engine::share::ShareState;
use frontier_engine::synthetic::Synthetic;
use frontier_engine::{fit, Dataset, FitOptions, LawSpec};

/// Points per data set: twice the threshold, so the search runs on a
/// quarter of them; the exhaustive fit of each takes several seconds. The
/// benchmark (`frontier bench-large --exhaustive`) makes the same
/// comparison on 100,000 points, a fiftieth searched.
const POINTS: usize = 8000;

fn dataset(synthetic: &Synthetic) -> Dataset {
    let state = ShareState {
        data: synthetic.csv(),
        law: LawSpec::catalogue("chinchilla"),
        ..ShareState::default()
    };
    state.prepare().unwrap().data
}

#[test]
fn large_data_search_finds_the_exhaustive_optimum() {
    let model = crate::chinchilla();
    let sets = Synthetic::three(POINTS);
    // One thread per data set: the exhaustive fits dominate the suite's time.
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = sets
            .iter()
            .map(|(name, synthetic)| {
                let model = &model;
                scope.spawn(move || {
                    let data = dataset(synthetic);
                    let large = FitOptions::hoffmann(model);
                    let mut exhaustive = large.clone();
                    exhaustive.large_data = None;
                    let a = fit(model, &data, &large).unwrap();
                    let b = fit(model, &data, &exhaustive).unwrap();
                    (*name, data.len(), a, b)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (name, points, a, b) in results {
        eprintln!(
            "{name}: large-data search {:.13} ({} evaluations, {} of {} points searched); exhaustive {:.13} ({} evaluations)",
            a.objective,
            a.evaluations,
            a.search_points.unwrap_or(0),
            points,
            b.objective,
            b.evaluations
        );
        assert_eq!(points, POINTS);
        assert_eq!(a.search_points, Some(LargeData::DEFAULT.sample), "{name}");
        assert_eq!(b.search_points, None, "{name}");
        assert_eq!((a.starts, a.points), (4500, POINTS));
        assert!(
            (a.objective - b.objective).abs() <= 1e-9 * b.objective,
            "{name}: {} vs {}",
            a.objective,
            b.objective
        );
        for (x, y) in a.params.iter().zip(&b.params) {
            assert!(
                (x / y - 1.0).abs() < 1e-4,
                "{name}: {:?} vs {:?}",
                a.params,
                b.params
            );
        }
        assert!(a.near_best >= 1 && a.converged > 0);
    }
}

#[test]
fn large_data_fit_does_not_depend_on_how_starts_are_split() {
    let model = crate::chinchilla();
    let data = dataset(&Synthetic::three(POINTS)[1].1);
    let mut opts = FitOptions::hoffmann(&model);
    // A smaller grid keeps this quick; the sharing is what is tested.
    opts.grid = Grid {
        axes: vec![
            vec![-1.0, 0.0, 1.0],
            vec![0.0, 5.0, 10.0],
            vec![0.0, 5.0, 10.0],
            vec![0.0, 0.5, 1.0],
            vec![0.0, 0.5, 1.0],
        ],
    };
    opts.abandon.as_mut().unwrap().pilot_every = 20;
    let whole = fit(&model, &data, &opts).unwrap();
    assert_eq!(whole.search_points, Some(LargeData::DEFAULT.sample));
    let n = opts.grid.len();
    for workers in [2, 3] {
        let mut parts = Vec::new();
        for w in (0..workers).rev() {
            let share = share_of_starts(n, w, workers);
            parts.extend(fit_starts(&model, &data, &opts, &share, |_, _| true).unwrap());
        }
        assert_eq!(
            combine(&model, &data, &opts, parts).unwrap(),
            whole,
            "{workers} workers"
        );
    }
}

#[test]
fn data_up_to_the_threshold_is_searched_in_full() {
    let model = crate::chinchilla();
    let mut synthetic = Synthetic::three(LargeData::DEFAULT.above)[0].1;
    synthetic.points = LargeData::DEFAULT.above;
    let data = dataset(&synthetic);
    let opts = FitOptions::hoffmann(&model);
    assert!(frontier_engine::fit::search_points(&model, &data, &opts).is_none());
    let mut more = synthetic;
    more.points += 1;
    let data = dataset(&more);
    let sample = frontier_engine::fit::search_points(&model, &data, &opts).unwrap();
    assert_eq!(sample.len(), LargeData::DEFAULT.sample);
    // Fixed by the data: the same sample every time.
    assert_eq!(
        frontier_engine::fit::search_points(&model, &data, &opts).unwrap(),
        sample
    );
}

/// A training history of `runs` runs of `steps` logged steps each, with a
/// learning rate and a loss on every row (run,step,N,lr,loss).
pub fn history_csv(runs: usize, steps: usize) -> String {
    let mut t = String::from("run,step,N,lr,loss\n");
    for r in 0..runs {
        for s in 1..=steps {
            let lr = 3e-4 * (1.0 - s as f64 / (steps + 1) as f64);
            let loss = 2.0 + 8.0 * (s as f64).powf(-0.3) + 0.001 * r as f64;
            t += &format!("run-{r},{s},{:e},{lr:e},{loss}\n", 1e8 * (1 + r % 7) as f64);
        }
    }
    t
}

/// Time of reading 100,000 rows natively, the final-loss table and the
/// history: `cargo test --release -p frontier-engine --test engine
/// parse_timing -- --ignored --nocapture`.
#[test]
#[ignore = "a timing, printed; run by hand"]
fn parse_timing() {
    use frontier_engine::curves::read_curves;
    use frontier_engine::data::parse_runs;
    let table = Synthetic::three(100_000)[0].1.csv();
    let history = history_csv(100, 1000);
    let time = |what: &str, f: &dyn Fn() -> usize| {
        let mut best = f64::INFINITY;
        let mut n = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            n = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("{what}: {n} rows, best of 5 {:.1} ms", best * 1e3);
    };
    time("parse_runs (N,D,loss)", &|| parse_runs(&table).runs.len());
    time("parse_runs (history)", &|| parse_runs(&history).runs.len());
    time("read_curves (history)", &|| {
        read_curves(&history).unwrap().points()
    });
    let state = ShareState {
        data: table.clone(),
        law: LawSpec::catalogue("chinchilla"),
        ..ShareState::default()
    };
    time("prepare (N,D,loss)", &|| {
        state.prepare().unwrap().data.points.len()
    });
}
