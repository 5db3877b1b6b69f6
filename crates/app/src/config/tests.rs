//! The configuration's rules: defaults, each bad value naming its variable, the
//! environment over `.env`, secrets from files.

use super::*;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const JWT: &str = "0123456789abcdef0123456789abcdef";

fn load(pairs: &[(&str, &str)]) -> Result<AppConfig, ConfigError> {
    AppConfig::load(&Source::from_pairs(pairs.iter().copied()))
}

#[test]
fn defaults_fill_everything_but_the_secrets() {
    let config = load(&[("APP_MASTER_KEY", KEY), ("JWT_SECRET", JWT)]).unwrap();
    assert_eq!(config.http_addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.default_model.as_str(), "openai/gpt-4o-mini");
    assert_eq!(config.bcrypt_cost, 12);
    assert!(config.http_workers >= 1);
    assert_eq!(config.sectors, Sectors::default());
    assert_eq!(config.sse_keepalive, Duration::from_secs(15));
    assert_eq!(config.max_answer_tokens, 4096);
}

#[test]
fn each_bad_value_names_its_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("JWT_SECRET", JWT)], "APP_MASTER_KEY"),
        (
            &[("APP_MASTER_KEY", "c2hvcnQ="), ("JWT_SECRET", JWT)],
            "APP_MASTER_KEY",
        ),
        (
            &[("APP_MASTER_KEY", "not base64!"), ("JWT_SECRET", JWT)],
            "APP_MASTER_KEY",
        ),
        (&[("APP_MASTER_KEY", KEY)], "JWT_SECRET"),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("SECTORS", "vendas,Not Valid"),
            ],
            "SECTORS",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("SSE_KEEPALIVE_SECONDS", "0"),
            ],
            "SSE_KEEPALIVE_SECONDS",
        ),
        (
            &[("APP_MASTER_KEY", KEY), ("JWT_SECRET", "short")],
            "JWT_SECRET",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("DATABASE_URL", "mysql://x"),
            ],
            "DATABASE_URL",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("HTTP_ADDR", "nowhere"),
            ],
            "HTTP_ADDR",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("BCRYPT_COST", "99"),
            ],
            "BCRYPT_COST",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("BCRYPT_COST", "4"),
            ],
            "BCRYPT_COST",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("HTTP_WORKERS", "0"),
            ],
            "HTTP_WORKERS",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("LLM_TIMEOUT_SECONDS", "18446744073709551615"),
            ],
            "LLM_TIMEOUT_SECONDS",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET", JWT),
                ("SEARCH_MIN_SIMILARITY", "1.5"),
            ],
            "SEARCH_MIN_SIMILARITY",
        ),
    ];
    for (pairs, variable) in cases {
        let err = load(pairs).unwrap_err();
        assert_eq!(err.variable, *variable, "{err}");
        assert!(err.to_string().starts_with("configuration error: "));
    }
}

#[test]
fn the_environment_wins_over_dotenv() {
    let mut source = Source::from_pairs([("HTTP_ADDR", "127.0.0.1:9000")]);
    source
        .dotenv
        .insert("HTTP_ADDR".into(), "127.0.0.1:7000".into());
    source.dotenv.insert("APP_MASTER_KEY".into(), KEY.into());
    source.dotenv.insert("JWT_SECRET".into(), JWT.into());
    let config = AppConfig::load(&source).unwrap();
    assert_eq!(config.http_addr.port(), 9000);
}

#[test]
fn the_answer_cap_is_at_least_one_token() {
    let cap = |value| {
        load(&[
            ("APP_MASTER_KEY", KEY),
            ("JWT_SECRET", JWT),
            ("MAX_ANSWER_TOKENS", value),
        ])
        .map(|config| config.max_answer_tokens)
    };
    assert_eq!(cap("512").unwrap(), 512);
    for bad in ["0", "1000001", "lots"] {
        assert_eq!(cap(bad).unwrap_err().variable, "MAX_ANSWER_TOKENS", "{bad}");
    }
}

#[test]
fn secrets_can_come_from_files_never_from_both_places() {
    let dir = std::env::temp_dir().join(format!("polychat-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (key_file, jwt_file, empty) = (dir.join("key"), dir.join("jwt"), dir.join("empty"));
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    std::fs::write(&jwt_file, JWT).unwrap();
    std::fs::write(&empty, "\n").unwrap();
    let (key_path, jwt_path) = (key_file.to_str().unwrap(), jwt_file.to_str().unwrap());

    let config = load(&[
        ("APP_MASTER_KEY_FILE", key_path),
        ("JWT_SECRET_FILE", jwt_path),
    ])
    .expect("secrets from files, the trailing newline ignored");
    assert_eq!(config.master_key.expose_secret(), KEY);
    assert_eq!(config.jwt_secret.expose_secret(), JWT);

    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("APP_MASTER_KEY_FILE", key_path),
                ("JWT_SECRET", JWT),
            ],
            "APP_MASTER_KEY",
        ),
        (
            &[
                ("APP_MASTER_KEY_FILE", "/nonexistent/key"),
                ("JWT_SECRET", JWT),
            ],
            "APP_MASTER_KEY_FILE",
        ),
        (
            &[
                ("APP_MASTER_KEY", KEY),
                ("JWT_SECRET_FILE", empty.to_str().unwrap()),
            ],
            "JWT_SECRET_FILE",
        ),
    ];
    for (pairs, variable) in cases {
        let err = load(pairs).unwrap_err();
        assert_eq!(err.variable, *variable, "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
