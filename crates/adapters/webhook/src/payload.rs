//! The body of a webhook call, and its signature:
//! `X-Polychat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

use std::fmt::Write as _;

use hmac::{Hmac, Mac as _};
use polychat_domain::ports::{WebhookCall, WebhookKind};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;
use sha2::Sha256;

#[derive(Serialize)]
struct Payload<'a> {
    messages: Vec<PayloadMessage<'a>>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
}

#[derive(Serialize)]
struct PayloadMessage<'a> {
    role: &'static str,
    content: &'a str,
}

/// The JSON bytes sent for `call`.
pub(crate) fn body(call: &WebhookCall) -> Vec<u8> {
    let payload = Payload {
        messages: call
            .messages
            .iter()
            .map(|m| PayloadMessage {
                role: m.role.as_str(),
                content: &m.content,
            })
            .collect(),
        session_id: &call.session_id,
        webhook_type: call.kind.as_str(),
        model: &call.model,
        user_id: call.user_id.to_string(),
        chat_input: &call.chat_input,
        action: "sendMessage",
        stream: call.stream,
        prompt: match call.kind {
            WebhookKind::Completion => call.prompt.as_deref(),
            WebhookKind::Chat => None,
        },
    };
    serde_json::to_vec(&payload).unwrap_or_default()
}

/// The signature header's value for `body` sent at `unix_seconds`.
pub(crate) fn signature(secret: &SecretString, unix_seconds: u64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut signed = format!("t={unix_seconds},v1=");
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(signed, "{byte:02x}");
    }
    signed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // Computed independently: Python's hmac.new(b"whsec_test", b'1700000000.{"a":1}', sha256).
        let secret = SecretString::from("whsec_test");
        let signed = signature(&secret, 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            signed,
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
        assert_ne!(
            signature(&SecretString::from("other"), 1_700_000_000, br#"{"a":1}"#),
            signed
        );
        assert_ne!(signature(&secret, 1_700_000_001, br#"{"a":1}"#), signed);
    }
}
