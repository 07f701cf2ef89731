//! Same spec, same bytes: generation runs on several threads and must not depend on scheduling.

use std::path::Path;

#[test]
fn generating_twice_gives_identical_files() {
    // bookingtime's spec is large enough that types.rs is formatted in several parallel units.
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/bookingtime.yaml");
    let settings = codegen::CrateSettings {
        name: "bookingtime-client".to_owned(),
        version: "0.1.0".to_owned(),
        runtime_path: "../../runtime".to_owned(),
        standalone: false,
        source_label: "specs/bookingtime.yaml".to_owned(),
        extra_files: Vec::new(),
        has_quickstart: false,
    };
    let run = || {
        let parsed = codegen::parse::parse_file(&spec).expect("the bookingtime spec parses");
        codegen::generate(&parsed, &settings)
            .expect("the bookingtime spec generates")
            .files
    };
    let first = run();
    // More items than one formatting unit holds (150 types), so several units are assembled.
    let items = |text: &str| ["\npub struct ", "\npub enum ", "\npub type "].map(|item| text.matches(item).count());
    assert!(first
        .iter()
        .any(|f| f.path == "src/types.rs" && items(&f.contents).iter().sum::<usize>() > 150));
    for _ in 0..3 {
        assert_eq!(run(), first);
    }
}
