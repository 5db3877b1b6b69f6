//! The embedded files of the web app (listed by `build.rs`), each with its content type
//! and an `ETag` computed once when the server starts.

use std::collections::HashMap;

use actix_web::http::header::HeaderValue;
use sha2::{Digest, Sha256};

/// Every file under `crates/app/web/public`, by its path there.
const FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// One servable file.
pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    pub etag: HeaderValue,
}

impl Asset {
    /// Whether the client's `If-None-Match` names this version.
    pub fn matches(&self, if_none_match: Option<&HeaderValue>) -> bool {
        if_none_match
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(',')
                    .any(|tag| tag.trim() == self.etag.to_str().unwrap_or_default())
            })
    }
}

/// The web app's files, ready to serve.
pub struct WebAssets {
    files: HashMap<&'static str, Asset>,
}

impl WebAssets {
    pub fn load() -> Self {
        let files = FILES
            .iter()
            .map(|&(name, bytes)| {
                let digest = Sha256::digest(bytes);
                let tag = format!("\"{}\"", hex(&digest[..12]));
                let etag = HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"\""));
                let asset = Asset {
                    bytes,
                    content_type: content_type(name),
                    etag,
                };
                (name, asset)
            })
            .collect();
        Self { files }
    }

    pub fn get(&self, name: &str) -> Option<&Asset> {
        self.files.get(name)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json" | "webmanifest") => "application/json",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_scripts_are_embedded_with_their_types() {
        let assets = WebAssets::load();
        let page = assets.get("index.html").expect("index.html embedded");
        assert_eq!(page.content_type, "text/html; charset=utf-8");
        let script = assets.get("js/main.js").expect("main.js embedded");
        assert_eq!(script.content_type, "text/javascript; charset=utf-8");
        assert!(script.matches(Some(&script.etag)));
        assert!(!script.matches(Some(&HeaderValue::from_static("\"other\""))));
    }
}
