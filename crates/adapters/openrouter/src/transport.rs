//! One POST to the upstream under the retry policy, and bounded reading of replies.
//!
//! Retries happen here and nowhere else, only before the first byte of a reply, and only
//! for connection failures, 429 and 5xx: once a reply has started the call may already
//! be billed to the user's key, so it is never repeated.

use std::time::Duration;

use rand::Rng as _;
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, Response, Url};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::{Instant, sleep, timeout_at};

use polychat_domain::ports::LlmError;

use crate::errors::{from_status, parse_retry_after};
use crate::wire::WireReply;

/// Upstream error bodies are read only this far: enough for the message.
const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;

/// Timing and size limits of one call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) first_byte: Duration,
    pub(crate) chunk_gap: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_response_bytes: usize,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_cap: Duration,
}

/// How an attempt failed, and whether another may follow.
enum Failure {
    Retryable {
        error: LlmError,
        retry_after: Option<Duration>,
    },
    Final(LlmError),
}

#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub(crate) http: Client,
    pub(crate) limits: Limits,
}

impl Transport {
    /// Sends `body` with the user's key until a 2xx reply's headers arrive, retrying
    /// what may be retried, all before `deadline`.
    pub(crate) async fn send(
        &self,
        endpoint: &Url,
        body: Vec<u8>,
        key: &SecretString,
        accept: &'static str,
        deadline: Instant,
    ) -> Result<Response, LlmError> {
        let mut retries = 0;
        loop {
            let (error, retry_after) =
                match self.attempt(endpoint, &body, key, accept, deadline).await {
                    Ok(response) => return Ok(response),
                    Err(Failure::Final(error)) => return Err(error),
                    Err(Failure::Retryable { error, retry_after }) => (error, retry_after),
                };
            if retries >= self.limits.max_retries {
                return Err(error);
            }
            let wait = match retry_after {
                // Waiting long here would hold the user's request; let them decide.
                Some(wait) if wait > self.limits.backoff_cap => return Err(error),
                Some(wait) => wait,
                None => backoff(self.limits.backoff_base, self.limits.backoff_cap, retries),
            };
            if Instant::now() + wait >= deadline {
                return Err(error);
            }
            tracing::warn!(retry = retries + 1, ?wait, error = %error, "retrying the upstream call");
            sleep(wait).await;
            retries += 1;
        }
    }

    async fn attempt(
        &self,
        endpoint: &Url,
        body: &[u8],
        key: &SecretString,
        accept: &'static str,
        deadline: Instant,
    ) -> Result<Response, Failure> {
        let request = self
            .http
            .post(endpoint.clone())
            .bearer_auth(key.expose_secret())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, accept)
            .body(body.to_vec())
            .send();
        let headers_by = deadline.min(Instant::now() + self.limits.first_byte);
        let response = match timeout_at(headers_by, request).await {
            Err(_) => return Err(Failure::Final(LlmError::Timeout)),
            Ok(Err(err)) if err.is_connect() => {
                tracing::warn!(error = %err, "cannot connect to the upstream");
                return Err(Failure::Retryable {
                    error: LlmError::Upstream("cannot connect to the upstream".to_owned()),
                    retry_after: None,
                });
            }
            Ok(Err(err)) if err.is_timeout() => return Err(Failure::Final(LlmError::Timeout)),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the upstream request failed");
                return Err(Failure::Final(LlmError::Upstream(
                    "the upstream request failed".to_owned(),
                )));
            }
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, std::time::SystemTime::now()));
        let detail = error_detail(response, self.limits, deadline).await;
        let error = from_status(status.as_u16(), retry_after, detail.as_deref(), key);
        if status.as_u16() == 429 || status.is_server_error() {
            Err(Failure::Retryable { error, retry_after })
        } else {
            Err(Failure::Final(error))
        }
    }
}

/// The message of an error reply: its `error.message` if it is JSON, else its text.
async fn error_detail(mut response: Response, limits: Limits, deadline: Instant) -> Option<String> {
    let limits = Limits {
        max_response_bytes: MAX_ERROR_BODY_BYTES,
        ..limits
    };
    let body = read_body(&mut response, limits, deadline).await.ok()?;
    let from_json = serde_json::from_slice::<WireReply>(&body)
        .ok()
        .and_then(|reply| reply.error)
        .and_then(|error| error.message);
    from_json.or_else(|| Some(String::from_utf8_lossy(&body).into_owned()))
}

/// Reads a whole reply body, refusing more than `limits.max_response_bytes` and
/// enforcing the chunk gap and the overall deadline.
pub(crate) async fn read_body(
    response: &mut Response,
    limits: Limits,
    deadline: Instant,
) -> Result<Vec<u8>, LlmError> {
    let limit = limits.max_response_bytes;
    let too_large = || LlmError::Upstream(format!("the upstream reply exceeds {limit} bytes"));
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        let by = deadline.min(Instant::now() + limits.chunk_gap);
        match timeout_at(by, response.chunk()).await {
            Err(_) => return Err(LlmError::Timeout),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the upstream reply was cut");
                return Err(LlmError::Upstream("the upstream reply was cut".to_owned()));
            }
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(bytes))) => {
                if body.len() + bytes.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&bytes);
            }
        }
    }
}

/// Capped exponential backoff with equal jitter: between half and all of
/// `min(cap, base * 2^retry)`, so replicas retrying together spread out.
pub(crate) fn backoff(base: Duration, cap: Duration, retry: u32) -> Duration {
    let ceiling = base
        .checked_mul(1_u32.checked_shl(retry).unwrap_or(u32::MAX))
        .unwrap_or(cap)
        .min(cap);
    let half = ceiling / 2;
    let jitter_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(rand::thread_rng().gen_range(0..=jitter_nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        for _ in 0..50 {
            let first = backoff(base, cap, 0);
            assert!(first >= Duration::from_millis(50) && first <= base);
            let third = backoff(base, cap, 2);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = backoff(base, cap, 40);
            assert!(late >= cap / 2 && late <= cap);
        }
        let samples: std::collections::HashSet<_> =
            (0..20).map(|_| backoff(base, cap, 3)).collect();
        assert!(samples.len() > 1, "backoff is not jittered");
    }
}
