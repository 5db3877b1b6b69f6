//! The OpenAPI 3.1 document, generated from the handlers and DTOs by `utoipa`, and the
//! Swagger UI that renders it (assets vendored into the binary: no download at build
//! or run time).

mod responses;

use actix_web::web;
use polychat_domain::Sectors;
use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use responses::SharedResponses;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::error::{ErrorBody, ErrorDetail};
use crate::routes::{
    accounts, admin_models, admin_users, api_keys, chat, chats, health, memory, metrics, openai,
    profile, resume, review, usage,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "polychat",
        description = "A chat backend in front of many LLMs (through OpenRouter) that remembers its users. \
            Every error body is `{\"error\": {\"code\", \"message\", \"type\", \"param\"}}`; every response carries `X-Request-Id`. \
            Protected routes take `Authorization: Bearer <credential>`: the access token of a login or a \
            personal API key (`pc_…`, see `/user/api-keys`). A key works wherever an access token does, except \
            managing API keys, `POST /logout`, `POST /token/refresh` and a password change: those answer 403 `forbidden`. \
            When the operator configured trusted issuers (`TRUSTED_ISSUERS_FILE`: a Django SIMPLE_JWT back office, an OIDC \
            provider), their access tokens work too, on the same routes as an API key: the token's issuer and subject map to \
            one local user, created on first use (role `user`, no password), whose profile names the `issuer`. Each issuer's \
            algorithm is pinned; an expired token, a wrong `token_type`, a subject that is missing or neither a string nor an \
            integer, or a token signed with another issuer's key answers 401 `unauthorized`. Users without an OpenRouter key \
            of their own may be answered with the operator's service key when their issuer (or, for local users, the \
            configuration) allows it; the key never appears in any answer.",
        license(name = "Apache-2.0")
    ),
    paths(
        health::health, health::ready, metrics::metrics,
        accounts::register, accounts::login, accounts::refresh, accounts::logout,
        profile::get_profile, profile::update_profile,
        api_keys::create_api_key, api_keys::list_api_keys, api_keys::revoke_api_key,
        chat::post_chat, chat::get_chat,
        chats::create_chat, chats::get_chat, chats::list_chats, chats::update_chat, chats::delete_chat, review::review_message, admin_users::end_sessions,
        resume::resume_stream,
        memory::list_preferences, memory::add_preference, memory::edit_preference,
        memory::delete_preference, memory::search_messages,
        openai::list_models, openai::get_model, openai::chat_completions, openai::completions,
        admin_models::create_model, admin_models::list_models, admin_models::get_model,
        admin_models::update_model, admin_models::delete_model, admin_models::list_versions,
        admin_models::restore_version, admin_models::test_model, admin_models::export_models,
        admin_models::import_models,
        usage::user_usage, usage::admin_usage,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &SharedResponses),
    tags(
        (name = "accounts", description = "Registration, login, tokens, the profile and personal API keys"),
        (name = "chat", description = "Prompts to any model, history, chats"),
        (name = "memory", description = "What the service remembers about the user, and search"),
        (name = "openai", description = "The OpenAI-compatible API: point an OpenAI client's `base_url` at `/v1`"),
        (name = "operations", description = "Liveness, readiness and Prometheus metrics"),
        (name = "admin", description = "Admins only: custom models on webhooks (n8n) and everyone's usage"),
        (name = "usage", description = "Requests and tokens per model and day"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the protected routes refer to: an access token
/// (a JWT) or a personal API key.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or pc_ API key")
                    .description(Some(
                        "The access token of a login, a personal API key (`pc_…`), or an access token of a trusted issuer",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("`METRICS_TOKEN`, when the operator set one"))
                    .build(),
            ),
        );
    }
}

/// The request schemas whose `sector` is one of the deployment's `SECTORS` (answers
/// keep any name: a sector dropped from the list stays readable on old chats).
const SECTOR_REQUESTS: [&str; 4] = ["ChatRequest", "CreateRequest", "SearchBody", "ChatUpdate"];

/// The document as this deployment serves it: [`ApiDoc`], with the configured `sectors`
/// as the `enum` of every `sector` a request may send, and what `utoipa` cannot spell
/// ([`chat_links`], [`message_schema`]).
pub fn served(sectors: &Sectors) -> Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let names: Vec<Value> = sectors
        .names()
        .iter()
        .map(|n| Value::from(n.as_str()))
        .collect();
    let with_null = || {
        names
            .iter()
            .cloned()
            .chain([Value::Null])
            .collect::<Vec<_>>()
    };
    for schema in SECTOR_REQUESTS {
        let sector = &mut document["components"]["schemas"][schema]["properties"]["sector"];
        if sector.is_object() {
            sector["enum"] = Value::Array(with_null());
        }
    }
    if let Some(parameters) = document["paths"]["/chats"]["get"]["parameters"].as_array_mut() {
        for parameter in parameters.iter_mut().filter(|p| p["name"] == "sector") {
            parameter["schema"]["enum"] = Value::Array(names.clone());
        }
    }
    let answered = &mut document["paths"]["/chat"]["post"]["responses"]["200"];
    if answered.is_object() {
        answered["links"] = chat_links();
    }
    let message = &mut document["components"]["schemas"]["ChatMessageBody"];
    if message.is_object() {
        *message = message_schema(message.take());
    }
    document
}

/// Links from `POST /chat` to the routes that read, rename and delete the chat it
/// answered in, through `X-Chat-Id` (a streamed answer has no JSON body to point into).
/// Written here: `utoipa` spells `operationRef` as `operation_ref`.
fn chat_links() -> Value {
    let link = |target: &str| json!({"operationRef": target, "parameters": {"chat_id": "$response.header.X-Chat-Id"}});
    json!({
        "GetChatHistory": link("#/paths/~1chat/get"),
        "GetChat": link("#/paths/~1chats~1{chat_id}/get"),
        "RenameChat": link("#/paths/~1chats~1{chat_id}/patch"),
        "DeleteChat": link("#/paths/~1chats~1{chat_id}/delete"),
    })
}

/// A `/v1` chat message as the parser reads it: anything but an assistant's message
/// (or one with `tool_calls`) needs text, a non-empty string or a content array with a
/// non-empty text part; every part is an object with a string `type`, and a `text`
/// part has a string `text`. The conditions need `not` and `contains`, which `utoipa`'s
/// schema types do not have.
fn message_schema(mut message: Value) -> Value {
    let part = json!({"anyOf": [
        {"type": "object", "required": ["type", "text"],
         "properties": {"type": {"const": "text"}, "text": {"type": "string"}}},
        {"type": "object", "required": ["type"],
         "properties": {"type": {"type": "string", "not": {"const": "text"}}}},
    ]});
    let text_part = json!({"type": "object", "required": ["type", "text"],
        "properties": {"type": {"const": "text"}, "text": {"type": "string", "minLength": 1}}});
    message["properties"]["content"]["items"] = part;
    message["anyOf"] = json!([
        {"properties": {"role": {"const": "assistant"}}},
        {"required": ["tool_calls"]},
        {"required": ["content"], "properties": {"content": {"anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "contains": text_part},
        ]}}},
    ]);
    if let Some(required) = message["required"].as_array_mut() {
        required.retain(|name| name != "content");
    }
    message
}

pub fn config(cfg: &mut web::ServiceConfig, document: Value) {
    // The UI lives under `/docs/`; `/docs` as people type it leads there.
    cfg.service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").external_url_unchecked("/openapi.json", document));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as served with the default `SECTORS`, as committed; `UPDATE_SNAPSHOTS=1 cargo test -p polychat-app --lib
    /// openapi` rewrites it after a deliberate change (review the diff).
    const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

    #[test]
    fn the_document_matches_its_snapshot() {
        let document = served(&Sectors::default());
        if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
            let text = serde_json::to_string_pretty(&document).unwrap() + "\n";
            std::fs::write(SNAPSHOT, text).unwrap();
            return;
        }
        let committed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(SNAPSHOT).unwrap()).unwrap();
        assert!(
            document == committed,
            "/openapi.json differs from {SNAPSHOT}; if the change is meant, rerun with \
             UPDATE_SNAPSHOTS=1 and commit the file"
        );
    }

    #[test]
    fn the_served_document_lists_the_configured_sectors() {
        let sectors = Sectors::parse("vendas,suporte").unwrap();
        let document = served(&sectors);
        let schemas = &document["components"]["schemas"];
        for schema in SECTOR_REQUESTS {
            let sector = &schemas[schema]["properties"]["sector"];
            assert_eq!(
                sector["enum"],
                serde_json::json!(["vendas", "suporte", null]),
                "{schema}"
            );
        }
        assert!(schemas["ChatSummaryDto"]["properties"]["sector"]["enum"].is_null());
        let parameters = document["paths"]["/chats"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let sector = parameters.iter().find(|p| p["name"] == "sector").unwrap();
        assert_eq!(
            sector["schema"]["enum"],
            serde_json::json!(["vendas", "suporte"])
        );
    }

    #[test]
    fn a_new_chat_is_the_example_of_post_chat() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let chat = &document["components"]["schemas"]["ChatRequest"]["properties"]["chat_id"];
        assert_eq!(chat["example"], "", "{chat}");
        let answers = &document["paths"]["/chat"]["post"]["responses"]["200"]["content"];
        assert!(answers["text/event-stream"].is_object(), "{answers}");
        let rate_limited = &document["paths"]["/chat"]["post"]["responses"]["429"];
        let example = &rate_limited["content"]["application/json"]["examples"]["rate_limited"];
        assert_eq!(
            example["value"]["error"]["code"], "rate_limited",
            "{rate_limited}"
        );
        assert!(rate_limited["headers"]["Retry-After"].is_object());
        let bad_json = &document["paths"]["/chat"]["post"]["responses"]["415"];
        assert!(
            bad_json["content"]["application/json"]["examples"]["unsupported_media_type"]
                .is_object()
        );
    }

    #[test]
    fn every_error_answer_shows_the_body_of_each_code_it_names() {
        let document = serde_json::to_value(ApiDoc::openapi()).unwrap();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let at = format!("{method} {path} {status}");
                    assert!(response["headers"]["X-Request-Id"].is_object(), "{at}");
                    let json = &response["content"]["application/json"];
                    if json["schema"]["$ref"] != "#/components/schemas/ErrorBody" {
                        continue;
                    }
                    let examples = json["examples"]
                        .as_object()
                        .unwrap_or_else(|| panic!("{at}"));
                    assert!(!examples.is_empty(), "{at}");
                    for (code, example) in examples {
                        assert_eq!(example["value"]["error"]["code"], code.as_str(), "{at}");
                    }
                }
            }
        }
    }
}
