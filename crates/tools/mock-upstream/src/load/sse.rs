//! Finds the moments content tokens arrive in a server-sent event stream, for both
//! shapes the bench reads: OpenAI chunks (`data: {..."content":"..."}` without an event
//! name) and the service's `event: delta` events. Other events (`meta`, `done`) are not
//! tokens; an `error` event marks the stream as failed.

/// Incremental line parser over body chunks.
#[derive(Debug, Default)]
pub struct TokenScanner {
    line: Vec<u8>,
    event: Option<String>,
    /// An `error` event was seen.
    pub failed: bool,
}

impl TokenScanner {
    /// Feeds one body chunk; returns how many content tokens it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> usize {
        let mut tokens = 0;
        for &byte in chunk {
            if byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            if line.is_empty() {
                self.event = None;
            } else if let Some(name) = line.strip_prefix(b"event:") {
                let name = String::from_utf8_lossy(name).trim().to_owned();
                self.failed |= name == "error";
                self.event = Some(name);
            } else if let Some(data) = line.strip_prefix(b"data:") {
                let is_token_event = matches!(self.event.as_deref(), None | Some("delta"));
                if is_token_event && contains(data, b"\"content\"") {
                    tokens += 1;
                }
            }
        }
        tokens
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_openai_chunks_and_service_deltas_only() {
        let mut scanner = TokenScanner::default();
        let openai = b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"choices\":[{\"delta\":{}}],\"usage\":{}}\n\ndata: [DONE]\n\n";
        assert_eq!(scanner.feed(openai), 1);
        let mut scanner = TokenScanner::default();
        let service = "event: meta\ndata: {\"chat_id\":\"x\"}\n\nevent: delta\ndata: {\"content\":\"a\"}\n\nevent: del";
        assert_eq!(scanner.feed(service.as_bytes()), 1);
        assert_eq!(scanner.feed(b"ta\ndata: {\"content\":\"b\"}\r\n\r\n"), 1);
        assert_eq!(
            scanner.feed(b"event: done\ndata: {\"message\":{\"content\":\"ab\"}}\n\n"),
            0
        );
        assert!(!scanner.failed);
        scanner.feed(b"event: error\ndata: {\"code\":\"upstream_error\"}\n\n");
        assert!(scanner.failed);
    }
}
