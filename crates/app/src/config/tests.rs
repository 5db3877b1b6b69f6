//! The configuration's rules: defaults, each bad value naming its variable, the
//! environment over `.env`, secrets from files; every variable read is declared and
//! in the README's table.

use std::collections::BTreeSet;
use std::time::Duration;

use polychat_domain::Sectors;
use polychat_domain::services::chat::DEFAULT_MAX_ANSWER_TOKENS;
use polychat_domain::services::memory::MemoryPolicy;
use secrecy::ExposeSecret;

use super::*;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const JWT: &str = "0123456789abcdef0123456789abcdef";

fn load(pairs: &[(&str, &str)]) -> Result<AppConfig, ConfigError> {
    AppConfig::load(&Source::from_pairs(pairs.iter().copied()))
}

#[test]
fn defaults_fill_everything_but_the_secrets() {
    let config = load(&[("APP_MASTER_KEY", KEY), ("JWT_SECRET", JWT)]).unwrap();
    assert_eq!(config.server.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.chat.default_model.as_str(), "openai/gpt-4o-mini");
    assert_eq!(config.bcrypt_cost, 12);
    assert!(config.server.workers >= 1);
    assert_eq!(config.server.sse_keepalive, Duration::from_secs(15));
    assert_eq!(config.redis.key_prefix, "polychat:");
    assert!(config.retention.policy.is_none());
    assert!(config.server.metrics_token.is_none());
}

#[test]
fn the_declared_defaults_are_the_domains() {
    let config = load(&[("APP_MASTER_KEY", KEY), ("JWT_SECRET", JWT)]).unwrap();
    let memory = MemoryPolicy::default();
    let loaded = config.memory.policy;
    assert!((loaded.recall_min_similarity - memory.recall_min_similarity).abs() < f32::EPSILON);
    assert!((loaded.supersede_similarity - memory.supersede_similarity).abs() < f32::EPSILON);
    assert_eq!(loaded.window_chars, memory.window_chars);
    assert_eq!(loaded.recall, memory.recall);
    assert_eq!(config.chat.max_tokens, Some(DEFAULT_MAX_ANSWER_TOKENS));
    assert_eq!(config.chat.sectors, Sectors::default());
}

#[test]
fn each_bad_value_names_its_variable() {
    let without_secrets: &[(&[(&str, &str)], &str)] = &[
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
            &[("APP_MASTER_KEY", KEY), ("JWT_SECRET", "short")],
            "JWT_SECRET",
        ),
    ];
    for (pairs, variable) in without_secrets {
        let err = load(pairs).unwrap_err();
        assert_eq!(err.variable, *variable, "{err}");
    }
    // (variable, bad value) beside good secrets; the error names the variable.
    let bad_values = [
        ("SECTORS", "vendas,Not Valid"),
        ("SSE_KEEPALIVE_SECONDS", "0"),
        ("DATABASE_URL", "mysql://x"),
        ("HTTP_ADDR", "nowhere"),
        ("BCRYPT_COST", "99"),
        ("BCRYPT_COST", "4"),
        ("HTTP_WORKERS", "0"),
        ("LLM_TIMEOUT_SECONDS", "18446744073709551615"),
        ("SEARCH_MIN_SIMILARITY", "1.5"),
        ("RUST_LOG", "info,=[=="),
        ("CHAT_RETENTION_DAYS", "0"),
        ("CHAT_RETENTION_SWEEP_SECONDS", "soon"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_CA_FILE", "/etc/ssl/certs/ca-certificates.crt"),
        ("LOG_FORMAT", "xml"),
        ("DEFAULT_MODEL", "no model"),
    ];
    for (variable, value) in bad_values {
        let err = load(&[
            ("APP_MASTER_KEY", KEY),
            ("JWT_SECRET", JWT),
            (variable, value),
        ])
        .unwrap_err();
        assert_eq!(err.variable, variable, "{err}");
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
    assert_eq!(config.server.addr.port(), 9000);
}

#[test]
fn the_answer_cap_is_at_least_one_token() {
    let cap = |value| {
        load(&[
            ("APP_MASTER_KEY", KEY),
            ("JWT_SECRET", JWT),
            ("MAX_ANSWER_TOKENS", value),
        ])
        .map(|config| config.chat.max_tokens)
    };
    assert_eq!(cap("512").unwrap(), Some(512));
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
    assert_eq!(config.secrets.master_key.expose_secret(), KEY);
    assert_eq!(config.secrets.jwt_secret.expose_secret(), JWT);

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

/// The names the declarations cover, the `_FILE` twins included.
fn declared_names() -> BTreeSet<&'static str> {
    variables()
        .flat_map(|variable| std::iter::once(variable.name).chain(variable.file))
        .collect()
}

#[test]
fn every_variable_read_is_declared_once() {
    let declared: Vec<_> = variables()
        .flat_map(|variable| std::iter::once(variable.name).chain(variable.file))
        .collect();
    assert_eq!(
        declared.len(),
        declared_names().len(),
        "a name is declared twice"
    );
    // Weak hashing reaches ALLOW_WEAK_PASSWORD_HASHING, the only conditional read.
    let source = Source::from_pairs([
        ("APP_MASTER_KEY", KEY),
        ("JWT_SECRET", JWT),
        ("BCRYPT_COST", "4"),
        ("ALLOW_WEAK_PASSWORD_HASHING", "true"),
        ("CHAT_RETENTION_DAYS", "30"),
        (
            "REDIS_URL",
            "rediss-cluster://127.0.0.1:7000?node=127.0.0.1:7001",
        ),
        ("REDIS_CA_FILE", "/etc/ssl/certs/ca-certificates.crt"),
    ]);
    AppConfig::load(&source).unwrap();
    let read = source.names_read();
    let names = declared_names();
    let undeclared: Vec<_> = read.difference(&names).collect();
    assert!(
        undeclared.is_empty(),
        "read but not declared: {undeclared:?}"
    );
    let unread: Vec<_> = names.difference(&read).collect();
    assert!(unread.is_empty(), "declared but never read: {unread:?}");
}

/// The README's table sits between these two lines.
const TABLE_START: &str = "<!-- variables: generated from crates/app/src/config (UPDATE_SNAPSHOTS=1 cargo test -p polychat-app --lib config) -->\n";
const TABLE_END: &str = "<!-- /variables -->";

#[test]
fn the_readme_table_is_the_declarations() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(TABLE_START)
        .expect("the README has the table's start marker")
        + TABLE_START.len();
    let end = start
        + readme[start..]
            .find(TABLE_END)
            .expect("the README has the table's end marker");
    let table = variable::table(variables());
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        readme[start..end],
        table,
        "the README's variable table is stale: run UPDATE_SNAPSHOTS=1 cargo test -p polychat-app --lib config"
    );
}

#[test]
fn trusted_issuers_and_the_service_key() {
    let secrets = [("APP_MASTER_KEY", KEY), ("JWT_SECRET", JWT)];
    let config = load(&secrets).unwrap();
    assert!(config.issuers.issuers.is_empty());
    assert!(config.issuers.service_key.is_none());
    assert!(!config.issuers.service_key_for_local_users);

    let dir = std::env::temp_dir().join(format!("issuers-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("django.key"), format!("{JWT}-django\n")).unwrap();
    let file = dir.join("issuers.toml");
    std::fs::write(
        &file,
        "[issuers.backoffice]\nalgorithm = \"HS256\"\nsecret_file = \"django.key\"\nallow_service_key = true\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let mut pairs = secrets.to_vec();
    pairs.extend([
        ("TRUSTED_ISSUERS_FILE", path),
        ("OPENROUTER_SERVICE_KEY", "sk-or-v1-service"),
        ("SERVICE_KEY_FOR_LOCAL_USERS", "true"),
    ]);
    let config = load(&pairs).unwrap();
    assert_eq!(config.issuers.issuers[0].name.as_str(), "backoffice");
    assert!(config.issuers.issuers[0].allow_service_key);
    assert_eq!(
        config.issuers.service_key.as_ref().unwrap().expose_secret(),
        "sk-or-v1-service"
    );
    assert!(!format!("{config:?}").contains("sk-or-v1-service"));

    for (bad, variable) in [
        (
            vec![("SERVICE_KEY_FOR_LOCAL_USERS", "true")],
            "SERVICE_KEY_FOR_LOCAL_USERS",
        ),
        (
            vec![("OPENROUTER_SERVICE_KEY", "has spaces")],
            "OPENROUTER_SERVICE_KEY",
        ),
        (
            vec![("TRUSTED_ISSUERS_FILE", "/nonexistent/issuers.toml")],
            "TRUSTED_ISSUERS_FILE",
        ),
    ] {
        let mut pairs = secrets.to_vec();
        pairs.extend(bad);
        assert_eq!(load(&pairs).unwrap_err().variable, variable);
    }
    std::fs::write(
        &file,
        "[issuers.backoffice]\nalgorithm = \"HS256\"\nsecret = \"short\"\n",
    )
    .unwrap();
    let mut pairs = secrets.to_vec();
    pairs.push(("TRUSTED_ISSUERS_FILE", path));
    let error = load(&pairs).unwrap_err();
    assert_eq!(error.variable, "TRUSTED_ISSUERS_FILE");
    assert!(error.problem.contains("backoffice"), "{}", error.problem);
    std::fs::remove_dir_all(dir).unwrap();
}
