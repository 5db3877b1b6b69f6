//! The registry's request and answer bodies, and their conversions from the domain's
//! terms.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use polychat_domain::custom_model::{CustomModel, ModelSettings, ModelVersion};
use polychat_domain::services::custom_models::{CreatedModel, ModelDraft, TestReport};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::extract::present;

/// A model's fields as `POST` and `PUT` take them; a `PUT` changes only the fields it
/// names (`null` clears `description` or `fallback_model`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[allow(
    clippy::option_option,
    reason = "absent (leave), null (clear) and a value are three different requests"
)]
pub struct ModelBody {
    /// 2-64 of `a-z 0-9 . _ -`; what clients send as `model`.
    #[schema(example = "support-bot", pattern = r"^[a-z0-9._-]{2,64}$")]
    pub(super) slug: Option<String>,
    /// 1-100 printable characters (trimmed).
    #[schema(
        example = "Support bot",
        max_length = 100,
        pattern = r"^(?=[\s\S]*[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub(super) name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub(super) description: Option<Option<String>>,
    /// An `http` or `https` URL of at most 2,048 characters.
    #[schema(
        example = "https://n8n.example.com/webhook/support-chat",
        max_length = 2048,
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub(super) chat_webhook_url: Option<String>,
    /// An `http` or `https` URL of at most 2,048 characters.
    #[schema(
        example = "https://n8n.example.com/webhook/support-completion",
        max_length = 2048,
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub(super) completions_webhook_url: Option<String>,
    pub(super) is_active: Option<bool>,
    /// Another slug or an OpenRouter id, answering when the webhook fails.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "openai/gpt-4o-mini")]
    pub(super) fallback_model: Option<Option<String>>,
    /// 1-300, default 60.
    #[serde(default, deserialize_with = "crate::http::whole::option_u32")]
    #[schema(minimum = 1, maximum = 300)]
    pub(super) timeout_seconds: Option<u32>,
    /// Empty: everyone; otherwise only these users (and admins).
    pub(super) allowed_usernames: Option<Vec<String>>,
    /// Sent with every call; values are stored encrypted and never shown again.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub(super) webhook_headers: Option<BTreeMap<String, String>>,
}

impl From<ModelBody> for ModelDraft {
    fn from(body: ModelBody) -> Self {
        Self {
            slug: body.slug,
            name: body.name,
            description: body.description,
            chat_webhook_url: body.chat_webhook_url,
            completions_webhook_url: body.completions_webhook_url,
            is_active: body.is_active,
            fallback_model: body.fallback_model,
            timeout_seconds: body.timeout_seconds,
            allowed_usernames: body.allowed_usernames,
            webhook_headers: body.webhook_headers.map(|headers| {
                headers
                    .into_iter()
                    .map(|(name, value)| (name, SecretString::from(value)))
                    .collect()
            }),
        }
    }
}

/// A custom model as the registry shows it (no header values, no signing secret).
#[derive(Serialize, ToSchema)]
pub struct ModelDto {
    pub(super) id: String,
    #[serde(flatten)]
    pub(super) settings: SettingsDto,
    pub(super) version: u32,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
}

/// The settings part of a model, as each version records them.
#[derive(Serialize, ToSchema)]
pub struct SettingsDto {
    #[schema(example = "support-bot")]
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) chat_webhook_url: String,
    pub(super) completions_webhook_url: String,
    pub(super) is_active: bool,
    pub(super) fallback_model: Option<String>,
    pub(super) timeout_seconds: u32,
    pub(super) allowed_usernames: Vec<String>,
    pub(super) webhook_header_names: Vec<String>,
}

impl From<&ModelSettings> for SettingsDto {
    fn from(settings: &ModelSettings) -> Self {
        Self {
            slug: settings.slug.to_string(),
            name: settings.name.clone(),
            description: settings.description.clone(),
            chat_webhook_url: settings.chat_webhook_url.clone(),
            completions_webhook_url: settings.completions_webhook_url.clone(),
            is_active: settings.is_active,
            fallback_model: settings.fallback_model.as_ref().map(ToString::to_string),
            timeout_seconds: settings.timeout_seconds,
            allowed_usernames: settings
                .allowed_usernames
                .iter()
                .map(ToString::to_string)
                .collect(),
            webhook_header_names: settings
                .webhook_headers
                .iter()
                .map(|h| h.name.clone())
                .collect(),
        }
    }
}

impl From<CustomModel> for ModelDto {
    fn from(model: CustomModel) -> Self {
        Self {
            id: model.id.to_string(),
            settings: SettingsDto::from(&model.settings),
            version: model.version,
            created_at: model.created_at,
            updated_at: model.updated_at,
        }
    }
}

/// A new model with its signing secret (shown only in this response).
#[derive(Serialize, ToSchema)]
pub struct CreatedModelDto {
    #[serde(flatten)]
    pub(super) model: ModelDto,
    /// Verifies `X-Polychat-Signature`; shown this once.
    pub(super) signing_secret: String,
}

impl From<CreatedModel> for CreatedModelDto {
    fn from(created: CreatedModel) -> Self {
        Self {
            model: created.model.into(),
            signing_secret: created.signing_secret.expose_secret().to_owned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ModelList {
    pub(super) items: Vec<ModelDto>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub(super) version: u32,
    pub(super) changed_at: DateTime<Utc>,
    pub(super) changed_by: Option<String>,
    /// The model as this version had it.
    pub(super) model: ModelDto,
}

impl VersionDto {
    pub(super) fn new(current: &CustomModel, version: &ModelVersion) -> Self {
        Self {
            version: version.version,
            changed_at: version.changed_at,
            changed_by: version.changed_by.map(|id| id.to_string()),
            model: ModelDto {
                id: current.id.to_string(),
                settings: SettingsDto::from(&version.settings),
                version: version.version,
                created_at: current.created_at,
                updated_at: version.changed_at,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionList {
    pub(super) items: Vec<VersionDto>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Also list deactivated models.
    pub(super) include_inactive: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Remove the model and its versions for good.
    pub(super) purge: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    /// `chat` (default) or `completion`.
    #[schema(example = "chat", pattern = "^(chat|completion)$")]
    pub(super) webhook_type: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TestDto {
    pub(super) ok: bool,
    /// The webhook's HTTP status; 504 when it did not answer in time, 502 when it
    /// could not be reached or its answer was unreadable.
    pub(super) status: u16,
    pub(super) latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
}

impl From<TestReport> for TestDto {
    fn from(report: TestReport) -> Self {
        Self {
            ok: report.ok,
            status: report.status,
            latency_ms: u64::try_from(report.latency.as_millis()).unwrap_or(u64::MAX),
            content: report.content,
            error: report.error,
        }
    }
}

/// The registry as a backup: no signing secrets, no header values.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ExportDto {
    /// Always 1.
    #[serde(deserialize_with = "crate::http::whole::u32")]
    #[schema(minimum = 1, maximum = 1)]
    pub(super) format: u32,
    pub(super) models: Vec<ImportedModel>,
}

/// A model in an export or import; header names are listed, values are never there.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ImportedModel {
    #[schema(pattern = r"^[a-z0-9._-]{2,64}$")]
    pub(super) slug: String,
    #[schema(
        max_length = 100,
        pattern = r"^(?=[\s\S]*[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub(super) name: String,
    #[schema(max_length = 2000)]
    pub(super) description: Option<String>,
    #[schema(
        max_length = 2048,
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub(super) chat_webhook_url: String,
    #[schema(
        max_length = 2048,
        pattern = r"^[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Hh][Tt][Tt][Pp][Ss]?://[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub(super) completions_webhook_url: String,
    pub(super) is_active: Option<bool>,
    pub(super) fallback_model: Option<String>,
    pub(super) timeout_seconds: Option<u32>,
    #[serde(default)]
    pub(super) allowed_usernames: Vec<String>,
    /// Informational: imported models keep (or, new, lack) header values.
    #[serde(default)]
    pub(super) webhook_header_names: Vec<String>,
}

impl From<CustomModel> for ImportedModel {
    fn from(model: CustomModel) -> Self {
        let s = SettingsDto::from(&model.settings);
        Self {
            slug: s.slug,
            name: s.name,
            description: s.description,
            chat_webhook_url: s.chat_webhook_url,
            completions_webhook_url: s.completions_webhook_url,
            is_active: Some(s.is_active),
            fallback_model: s.fallback_model,
            timeout_seconds: Some(s.timeout_seconds),
            allowed_usernames: s.allowed_usernames,
            webhook_header_names: s.webhook_header_names,
        }
    }
}

impl From<ImportedModel> for ModelDraft {
    fn from(model: ImportedModel) -> Self {
        Self {
            slug: Some(model.slug),
            name: Some(model.name),
            description: Some(model.description),
            chat_webhook_url: Some(model.chat_webhook_url),
            completions_webhook_url: Some(model.completions_webhook_url),
            is_active: model.is_active,
            fallback_model: Some(model.fallback_model),
            timeout_seconds: model.timeout_seconds,
            allowed_usernames: Some(model.allowed_usernames),
            webhook_headers: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    pub(super) created: usize,
    pub(super) updated: usize,
}
