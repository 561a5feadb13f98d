//! The README's demo command, run as a user would: materialize, show, list,
//! and a mistake that exits non-zero with a readable error.

use std::process::Command;

fn demo(home: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_larder-demo"))
        .args(args)
        .env("LARDER_HOME", home)
        .output()
        .expect("the demo binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn materialize_then_show() {
    let home = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = demo(home.path(), &["materialize"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("3/3 steps succeeded"), "{stdout}");
    assert!(home.path().join("storage/raw_orders").is_file());
    assert!(home.path().join("storage/revenue_by_region").is_file());
    let report = std::fs::read_to_string(home.path().join("reports/report.md")).unwrap();
    assert!(report.starts_with("# Revenue by region"), "{report}");

    let (ok, stdout, _) = demo(home.path(), &["show", "report"]);
    assert!(ok);
    assert!(
        stdout.contains(&format!(
            "path: {}",
            home.path().join("reports/report.md").display()
        )),
        "{stdout}"
    );

    let (ok, stdout, _) = demo(home.path(), &["list"]);
    assert!(ok);
    assert!(
        stdout.contains("report  -> String  [io_manager_key: reports]"),
        "{stdout}"
    );
}

#[test]
fn a_bad_selection_exits_non_zero_with_a_readable_error() {
    let home = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = demo(home.path(), &["materialize", "--select", "reprot"]);
    assert!(!ok);
    assert!(
        stderr.contains("asset `reprot` is selected but not defined; did you mean `report`?"),
        "{stderr}"
    );
}
