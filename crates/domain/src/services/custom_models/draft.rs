//! A model's settings as an admin sends them (every field optional, for a change), and
//! their validation into [`ModelSettings`].

use secrecy::SecretString;

use crate::custom_model::{ModelSettings, ModelSlug};
use crate::{ModelName, Username, ValidationError};

/// The fields of `POST /admin/models` and `PUT /admin/models/{id}`; `None` keeps what
/// the model has (a new model must name slug, name and both webhook URLs).
#[derive(Debug, Default)]
pub struct ModelDraft {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub chat_webhook_url: Option<String>,
    pub completions_webhook_url: Option<String>,
    pub is_active: Option<bool>,
    pub fallback_model: Option<Option<String>>,
    pub timeout_seconds: Option<u32>,
    pub allowed_usernames: Option<Vec<String>>,
    /// Replaces every header when present.
    pub webhook_headers: Option<Vec<(String, SecretString)>>,
}

const MAX_NAME_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 2_000;
const MAX_URL_CHARS: usize = 2_048;
const MAX_HEADERS: usize = 20;
const MAX_HEADER_VALUE_BYTES: usize = 4_096;
/// Headers the webhook call sets itself, or that would change how it is delivered.
const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    "connection",
    "x-polychat-delivery",
    "x-polychat-signature",
];

impl ModelDraft {
    /// The validated settings over `current` (`None` for a new model), and the header
    /// values to seal when the draft replaces them.
    #[allow(clippy::type_complexity)]
    pub(super) fn apply(
        self,
        current: Option<&ModelSettings>,
    ) -> Result<(ModelSettings, Option<Vec<(String, SecretString)>>), ValidationError> {
        let required = |field: &'static str| ValidationError::new(field, "is required");
        let slug = match (self.slug, current) {
            (Some(slug), _) => ModelSlug::parse(&slug)?,
            (None, Some(current)) => current.slug.clone(),
            (None, None) => return Err(required("slug")),
        };
        let name = match (self.name, current) {
            (Some(name), _) => parse_name(&name)?,
            (None, Some(current)) => current.name.clone(),
            (None, None) => return Err(required("name")),
        };
        let url = |given: Option<String>, field, current: Option<&String>| match (given, current) {
            (Some(url), _) => parse_url(field, &url),
            (None, Some(current)) => Ok(current.clone()),
            (None, None) => Err(required(field)),
        };
        let chat_webhook_url = url(
            self.chat_webhook_url,
            "chat_webhook_url",
            current.map(|c| &c.chat_webhook_url),
        )?;
        let completions_webhook_url = url(
            self.completions_webhook_url,
            "completions_webhook_url",
            current.map(|c| &c.completions_webhook_url),
        )?;
        let description = match self.description {
            Some(description) => description.as_deref().map(parse_description).transpose()?,
            None => current.and_then(|c| c.description.clone()),
        };
        let fallback_model = match self.fallback_model {
            Some(fallback) => fallback
                .as_deref()
                .map(|m| {
                    ModelName::parse(m)
                        .map_err(|e| ValidationError::new("fallback_model", e.reason))
                })
                .transpose()?,
            None => current.and_then(|c| c.fallback_model.clone()),
        };
        let timeout_seconds = match self.timeout_seconds {
            Some(seconds) if (1..=ModelSettings::MAX_TIMEOUT_SECONDS).contains(&seconds) => seconds,
            Some(_) => {
                return Err(ValidationError::new(
                    "timeout_seconds",
                    format!("must be 1-{}", ModelSettings::MAX_TIMEOUT_SECONDS),
                ));
            }
            None => current.map_or(ModelSettings::DEFAULT_TIMEOUT_SECONDS, |c| {
                c.timeout_seconds
            }),
        };
        let allowed_usernames = match self.allowed_usernames {
            Some(names) => parse_usernames(&names)?,
            None => current
                .map(|c| c.allowed_usernames.clone())
                .unwrap_or_default(),
        };
        let headers = self.webhook_headers.map(parse_headers).transpose()?;
        let settings = ModelSettings {
            slug,
            name,
            description,
            chat_webhook_url,
            completions_webhook_url,
            is_active: self
                .is_active
                .unwrap_or_else(|| current.is_none_or(|c| c.is_active)),
            fallback_model,
            timeout_seconds,
            allowed_usernames,
            webhook_headers: current
                .map(|c| c.webhook_headers.clone())
                .unwrap_or_default(),
        };
        if settings.fallback_model.as_ref().map(ModelName::as_str) == Some(settings.slug.as_str()) {
            return Err(ValidationError::new(
                "fallback_model",
                "the fallbacks form a cycle",
            ));
        }
        Ok((settings, headers))
    }
}

fn parse_name(text: &str) -> Result<String, ValidationError> {
    let name = text.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ValidationError::new(
            "name",
            format!("must be 1-{MAX_NAME_CHARS} printable characters"),
        ));
    }
    Ok(name.to_owned())
}

fn parse_description(text: &str) -> Result<String, ValidationError> {
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ValidationError::new(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// The shape of a URL only; which addresses it may reach is the URL guard's to say.
fn parse_url(field: &'static str, text: &str) -> Result<String, ValidationError> {
    let url = text.trim();
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    if !scheme_ok || url.len() > MAX_URL_CHARS || url.chars().any(char::is_whitespace) {
        return Err(ValidationError::new(
            field,
            format!("must be an http or https URL of at most {MAX_URL_CHARS} characters"),
        ));
    }
    Ok(url.to_owned())
}

fn parse_usernames(names: &[String]) -> Result<Vec<Username>, ValidationError> {
    let mut parsed: Vec<Username> = Vec::with_capacity(names.len());
    for name in names {
        let username = Username::parse(name)
            .map_err(|e| ValidationError::new("allowed_usernames", e.reason))?;
        if !parsed.iter().any(|u| u.canonical() == username.canonical()) {
            parsed.push(username);
        }
    }
    Ok(parsed)
}

fn parse_headers(
    headers: Vec<(String, SecretString)>,
) -> Result<Vec<(String, SecretString)>, ValidationError> {
    use secrecy::ExposeSecret as _;
    let invalid = |reason: String| ValidationError::new("webhook_headers", reason);
    if headers.len() > MAX_HEADERS {
        return Err(invalid(format!("at most {MAX_HEADERS} headers")));
    }
    let mut names: Vec<String> = Vec::with_capacity(headers.len());
    for (name, value) in &headers {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || name.len() > 128 || !name.chars().all(token) {
            return Err(invalid(format!("{name:?} is not a header name")));
        }
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(invalid(format!("{name} is set by polychat")));
        }
        if names.contains(&lower) {
            return Err(invalid(format!("{name} is given twice")));
        }
        let value = value.expose_secret();
        if value.len() > MAX_HEADER_VALUE_BYTES
            || value.chars().any(|c| c.is_control() && c != '\t')
        {
            return Err(invalid(format!(
                "the value of {name} must be printable and at most {MAX_HEADER_VALUE_BYTES} bytes"
            )));
        }
        names.push(lower);
    }
    Ok(headers)
}
