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

/// Format 1's payload: raw deflate, base64url.
fn miniz_oxide_compress(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(miniz_oxide::deflate::compress_to_vec(bytes, 9))
}

/// Every single-character change to a link is refused or decodes to the
/// very same state: the checksum catches what the format alone did not
/// (44 of 352 altered format-1 links decoded into other states).
#[test]
fn no_single_character_change_decodes_into_another_state() {
    let s = sample();
    let frag = s.encode();
    let alphabet: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['-', '_'])
        .collect();
    let mut tried = 0;
    // Every 3rd position (all of the last 12, where the checksum lies), a
    // few replacements each.
    let n = frag.len();
    for (i, c) in frag
        .char_indices()
        .skip(3)
        .filter(|(i, _)| i % 3 == 0 || *i + 12 >= n)
    {
        for &r in alphabet.iter().filter(|&&r| r != c).step_by(13) {
            let mut altered = frag.clone();
            altered.replace_range(i..i + 1, &r.to_string());
            tried += 1;
            match ShareState::decode(&altered) {
                Ok(d) => assert_eq!(d, s, "position {i}: {c} -> {r}"),
                Err(LinkError::Damaged(_)) | Err(LinkError::Invalid(_)) => {}
                Err(e) => panic!("position {i}: {e}"),
            }
        }
    }
    assert!(tried > 300, "{tried}");
}

/// Crafted links that ask for huge work are refused before anything runs.
#[test]
fn links_asking_for_huge_grids_or_bootstraps_are_refused() {
    let mut s = sample();
    s.grid = Some(vec![
        vec![0.5; 65536],
        vec![0.5; 65536],
        vec![1.0; 65536],
        vec![0.3],
        vec![0.3],
    ]);
    let e = ShareState::decode(&s.encode()).unwrap_err();
    assert!(e.to_string().contains("at most 200000"), "{e}");
    let mut s = sample();
    s.grid = Some(vec![vec![0.5], vec![], vec![1.0], vec![0.3], vec![0.3]]);
    assert!(ShareState::decode(&s.encode())
        .unwrap_err()
        .to_string()
        .contains("axis 2 has no value"));
    let mut s = sample();
    s.bootstrap = 1_000_000_000_000_000_000;
    assert!(ShareState::decode(&s.encode())
        .unwrap_err()
        .to_string()
        .contains("bootstrap resamples"));
}
