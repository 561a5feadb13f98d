//! Hostile run-config texts: every one is accepted or refused at once, a
//! refusal names the format and the position, and no secret on the
//! offending line is ever echoed.

use larder::RunConfig;

type Parse = fn(&str) -> larder::Result<RunConfig>;

const FORMATS: [(&str, Parse); 3] = [
    ("JSON", RunConfig::from_json_str),
    ("TOML", RunConfig::from_toml_str),
    ("YAML", RunConfig::from_yaml_str),
];

fn message(r: larder::Result<RunConfig>) -> String {
    match r {
        Ok(c) => panic!("accepted ({} bytes as JSON)", c.as_json().to_string().len()),
        Err(e) => e.to_string(),
    }
}

fn assert_names_format_and_position(format: &str, msg: &str) {
    assert!(msg.contains(&format!("{format} run config")), "{msg}");
    assert!(msg.contains("line ") && msg.contains("column "), "{msg}");
}

#[test]
fn deep_nesting_is_refused_before_the_parser_sees_it() {
    let deep = 100_000;
    let texts = [
        (
            "JSON",
            format!("{{\"a\": {}{}}}", "[".repeat(deep), "]".repeat(deep)),
        ),
        (
            "TOML",
            format!("a = {}{}", "[".repeat(deep), "]".repeat(deep)),
        ),
        (
            "YAML",
            format!("a: {}{}", "[".repeat(deep), "]".repeat(deep)),
        ),
    ];
    for ((format, text), (name, parse)) in texts.iter().zip(FORMATS) {
        assert_eq!(format, &name);
        let msg = message(parse(text));
        assert_names_format_and_position(format, &msg);
        assert!(
            msg.contains("nested more than 64 levels deep"),
            "{format}: {msg}"
        );
    }
    // Block-style nesting counts too.
    let mut yaml = String::new();
    for i in 0..200 {
        yaml.push_str(&" ".repeat(i));
        yaml.push_str("k:\n");
    }
    let msg = message(RunConfig::from_yaml_str(&yaml));
    assert!(msg.contains("nested more than 64 levels deep"), "{msg}");
    let toml = format!("[{}]\nx = 1\n", vec!["t"; 200].join("."));
    let msg = message(RunConfig::from_toml_str(&toml));
    assert!(msg.contains("nested more than 64 levels deep"), "{msg}");
    // 64 levels are fine.
    let ok = format!("{{\"a\": {}1{}}}", "[".repeat(62), "]".repeat(62));
    RunConfig::from_json_str(&ok).unwrap();
}

#[test]
fn an_oversized_config_is_refused() {
    let big = format!("a = \"{}\"\n", "x".repeat(17 << 20));
    let msg = message(RunConfig::from_toml_str(&big));
    assert!(
        msg.contains("TOML run config is 17825799 bytes; the limit is 16777216"),
        "{msg}"
    );
}

#[test]
fn a_toml_syntax_error_never_echoes_the_line() {
    let text = "[resources.db.config]\nhost = \"db\"\npassword = \"hunter2-s3cret\" oops\n";
    let msg = message(RunConfig::from_toml_str(text));
    assert!(!msg.contains("hunter2"), "{msg}");
    assert_names_format_and_position("TOML", &msg);
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("resources.db.config.password"), "{msg}");
    // A value the parser quotes back (an integer out of range) is masked.
    let msg = message(RunConfig::from_toml_str(
        "[ops.x.config]\npin = 99999999999999999999\n",
    ));
    assert!(!msg.contains("9999"), "{msg}");
    assert_names_format_and_position("TOML", &msg);
    assert!(msg.contains("ops.x.config.pin"), "{msg}");
    // An unterminated string, too.
    let msg = message(RunConfig::from_toml_str("token = \"abc-secret\n"));
    assert!(!msg.contains("abc-secret"), "{msg}");
    assert_names_format_and_position("TOML", &msg);
}

#[test]
fn a_tab_in_yaml_is_refused_with_its_position() {
    let text = "resources:\n\tdb:\n    config: {}\n";
    let msg = message(RunConfig::from_yaml_str(text));
    assert_names_format_and_position("YAML", &msg);
    assert!(msg.contains("line 2, column 1"), "{msg}");
}

#[test]
fn json_and_yaml_syntax_errors_name_the_position() {
    let msg = message(RunConfig::from_json_str("{\"a\": 1,, }"));
    assert_names_format_and_position("JSON", &msg);
    let msg = message(RunConfig::from_yaml_str("a: [1, 2\nb: 3\n"));
    assert_names_format_and_position("YAML", &msg);
}

/// A fixed-seed generator, so a failing text replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn generated_hostile_texts_never_panic_and_every_refusal_has_a_position() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let alphabet: &[u8] = b"[]{}()\"'#:=,.-\\ \t\n\r\0abcx19|>&*!%@`~\xEF\xBB\xBF";
    let mut texts: Vec<String> = vec![
        "\u{FEFF}a = 1".into(),
        "\"unterminated".into(),
        "a: 'unterminated".into(),
        "a = '''".into(),
        "&a [*a, *a]".into(),
        "{".repeat(65),
        "- ".repeat(70) + "x",
        "a = { b = { c = { d = 1 } } }".into(),
        String::new(),
        "\0".into(),
    ];
    for _ in 0..400 {
        let len = (rng.next() % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let mut refused = 0;
    for text in &texts {
        for (format, parse) in FORMATS {
            let outcome = std::panic::catch_unwind(|| parse(text));
            let Ok(result) = outcome else {
                panic!("{format} parsing panicked on {text:?}");
            };
            if let Err(e) = result {
                refused += 1;
                let msg = e.to_string();
                assert!(msg.contains(&format!("{format} run config")), "{msg}");
                if !msg.contains("expected a table at the top level") {
                    assert!(msg.contains("line "), "{format} {text:?}: {msg}");
                }
            }
        }
    }
    assert!(refused > 600, "{refused}");
}
