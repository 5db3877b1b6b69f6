//! The contract's answers to requests no route takes (unknown routes 404, unsupported
//! methods 405) and the body limit the input extractors of [`super::input`] apply.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use serde::{Deserialize, Deserializer};
use utoipa::openapi::OpenApi;

use super::ApiError;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the body exceeds {MAX_BODY_BYTES} bytes"),
    )
}

/// Answer for paths no route matches.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", req.path()),
    ))
}

/// The methods each documented route answers, from the OpenAPI document: the `Allow`
/// header of a 405, so the answer and the document cannot disagree.
#[derive(Debug, Default)]
pub struct AllowedMethods(HashMap<String, String>);

impl AllowedMethods {
    pub fn from_document(document: &OpenApi) -> Self {
        let methods = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let operations = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ];
                let allow: Vec<&str> = operations
                    .iter()
                    .filter(|(_, present)| *present)
                    .map(|(method, _)| *method)
                    .collect();
                (path.clone(), allow.join(", "))
            })
            .collect();
        Self(methods)
    }

    /// The `Allow` of the route `pattern` (actix's, whose `{name:regex}` segments the
    /// document writes `{name}`).
    fn of(&self, pattern: &str) -> Option<&str> {
        let mut template = String::with_capacity(pattern.len());
        let (mut in_name, mut in_regex) = (false, false);
        for c in pattern.chars() {
            match c {
                '{' => in_name = true,
                '}' => (in_name, in_regex) = (false, false),
                ':' if in_name => in_regex = true,
                _ => {}
            }
            if !in_regex || c == '}' {
                template.push(c);
            }
        }
        self.0.get(&template).map(String::as_str)
    }
}

/// Answer for a known path with a method it does not support.
pub async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let allow = req
        .app_data::<web::Data<AllowedMethods>>()
        .zip(req.match_pattern())
        .and_then(|(allowed, pattern)| allowed.of(&pattern).map(str::to_owned))
        .unwrap_or_default();
    Err(ApiError::method_not_allowed(
        req.method().as_str(),
        req.path(),
        allow,
    ))
}

/// A resource whose unsupported methods answer 405 in the contract's format.
pub fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a value are three different requests"
)]
/// Distinguishes an absent field (`None`: leave it) from `null` (`Some(None)`: clear it).
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
