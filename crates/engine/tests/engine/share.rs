use frontier_engine::optimal::BudgetInput;
use frontier_engine::share::{LinkError, ShareState, FORMAT_VERSION};

fn sample() -> ShareState {
    ShareState {
        data: crate::reference_csv(),
        law: frontier_engine::LawSpec::catalogue("chinchilla"),
        drop_top: 5,
        delta: 1e-3,
        grid: Some(vec![vec![-1.0, 0.0, 1.0], vec![0.1, 0.2]]),
        budget: BudgetInput::Hardware {
            gpus: "1024".into(),
            hours: "720".into(),
            peak_flops: "989e12".into(),
            utilization: "40%".into(),
        },
        target_loss: "2.1".into(),
        presets: vec!["besiroglu".into()],
        ..ShareState::default()
    }
}

#[test]
fn round_trip_through_a_whole_url() {
    let s = sample();
    let frag = s.encode();
    assert!(frag.starts_with(&format!("s{FORMAT_VERSION}.")));
    let url = format!("http://localhost:8080/index.html#{frag}");
    assert_eq!(ShareState::decode(&url).unwrap(), s);
    assert_eq!(ShareState::decode(&format!("#{frag}")).unwrap(), s);
    assert_eq!(ShareState::decode(&frag).unwrap(), s);
    // Compressed: the 23 kB reference file fits in a URL.
    assert!(frag.len() < 16_000, "{}", frag.len());
}

#[test]
fn awkward_floats_survive_exactly() {
    let mut s = sample();
    s.delta = 0.1 + 0.2;
    s.grid = Some(vec![vec![1.0 / 3.0, 1e-300, 123456789.12345679]]);
    assert_eq!(ShareState::decode(&s.encode()).unwrap(), s);
}

#[test]
fn truncated_links_are_damaged_not_a_panic() {
    let frag = sample().encode();
    for cut in [3, 10, frag.len() / 2, frag.len() - 1] {
        match ShareState::decode(&frag[..cut]) {
            Err(LinkError::Damaged(_)) | Err(LinkError::Foreign) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn altered_links_are_damaged() {
    let frag = sample().encode();
    let mut bytes = frag.into_bytes();
    let mid = bytes.len() / 2;
    bytes[mid] = if bytes[mid] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(bytes).unwrap();
    assert!(matches!(
        ShareState::decode(&altered),
        Err(LinkError::Damaged(_))
    ));
    assert!(matches!(
        ShareState::decode("s1.!!!not-base64"),
        Err(LinkError::Damaged(_))
    ));
}

#[test]
fn foreign_newer_and_empty_links() {
    assert_eq!(
        ShareState::decode("https://example.org/#section-2"),
        Err(LinkError::Foreign)
    );
    assert_eq!(
        ShareState::decode("http://localhost:8080/"),
        Err(LinkError::Empty)
    );
    assert_eq!(ShareState::decode("#"), Err(LinkError::Empty));
    assert_eq!(ShareState::decode("#s9.abc"), Err(LinkError::TooNew(9)));
    assert!(ShareState::decode("#s9.abc")
        .unwrap_err()
        .to_string()
        .contains("newer"));
}

#[test]
fn links_from_format_1_with_only_the_data_still_decode() {
    // The smallest state format 1 ever wrote: fields added later default.
    let json = br#"{"v":1,"data":"N,D,loss\n1,2,3\n"}"#;
    let packed = miniz_oxide_compress(json);
    let s = ShareState::decode(&format!("#s1.{packed}")).unwrap();
    assert_eq!(s.drop_top, 0);
    assert_eq!(s.delta, 1e-3);
    assert_eq!(s.law, frontier_engine::LawSpec::catalogue("chinchilla"));
}

fn miniz_oxide_compress(bytes: &[u8]) -> String {
    // Re-encode through a state to reuse the same codec path.
    let s: ShareState = serde_json::from_slice(bytes).unwrap();
    s.encode()[3..].to_string()
}
