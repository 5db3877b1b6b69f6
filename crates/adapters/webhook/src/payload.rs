//! The JSON body of a webhook call, field by field as the contract names them.

use polychat_domain::ports::{WebhookCall, WebhookKind};
use serde::Serialize;

/// One message of the payload: `{role, content}`.
#[derive(Debug, Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

/// The payload of a call.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    messages: Vec<Message<'a>>,
    #[serde(rename = "sessionId")]
    session_id: &'a str,
    webhook_type: &'static str,
    model: &'a str,
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(rename = "chatInput")]
    chat_input: &'a str,
    action: &'static str,
    stream: bool,
    /// Only on completion calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
}

/// The exact bytes sent (and signed) for `call`.
pub(crate) fn body(call: &WebhookCall) -> Vec<u8> {
    let prompt = match call.kind {
        WebhookKind::Completion => Some(call.prompt.as_deref().unwrap_or_default()),
        WebhookKind::Chat => call.prompt.as_deref(),
    };
    let payload = Payload {
        messages: call
            .messages
            .iter()
            .map(|message| Message {
                role: message.role.as_str(),
                content: &message.content,
            })
            .collect(),
        session_id: &call.session_id,
        webhook_type: call.kind.as_str(),
        model: &call.model,
        user_id: call.user_id.to_string(),
        chat_input: &call.chat_input,
        action: "sendMessage",
        stream: call.stream,
        prompt,
    };
    // Strings, booleans and a list of them: serialising cannot fail.
    serde_json::to_vec(&payload).unwrap_or_default()
}
