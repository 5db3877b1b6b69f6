//! A pure, incremental parser of server-sent events (the WHATWG event-stream format),
//! tolerant of what real upstreams send: comment lines (`: OPENROUTER PROCESSING`),
//! keep-alives, CRLF or lone CR line ends, multi-line `data:`, and bytes split anywhere
//! across network chunks. Only `data` matters to chat completions; `event`, `id` and
//! `retry` fields are read and ignored.

/// The upstream sent something that is not an event stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SseError {
    #[error("event stream line longer than {0} bytes")]
    LineTooLong(usize),
    #[error("event stream is not valid UTF-8")]
    NotUtf8,
}

/// Feeds on bytes, yields the `data` of each complete event.
#[derive(Debug)]
pub(crate) struct SseParser {
    line: Vec<u8>,
    data: String,
    has_data: bool,
    /// The previous chunk ended in CR, so a leading LF of the next one closes nothing.
    after_cr: bool,
    max_line: usize,
}

impl SseParser {
    /// `max_line` bounds a single line (and so one event's buffer growth per line).
    pub(crate) fn new(max_line: usize) -> Self {
        Self {
            line: Vec::new(),
            data: String::new(),
            has_data: false,
            after_cr: false,
            max_line,
        }
    }

    /// Consumes `bytes`, returning the data of every event they complete.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, SseError> {
        let mut events = Vec::new();
        for &byte in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    if let Some(data) = self.end_line()? {
                        events.push(data);
                    }
                }
                _ => {
                    if self.line.len() >= self.max_line {
                        return Err(SseError::LineTooLong(self.max_line));
                    }
                    self.line.push(byte);
                }
            }
        }
        Ok(events)
    }

    /// At end of input: the data of an event whose closing blank line never came, so
    /// an upstream that hangs up right after its last `data:` line loses nothing.
    pub(crate) fn finish(&mut self) -> Result<Option<String>, SseError> {
        if !self.line.is_empty() {
            self.end_line()?;
        }
        Ok(self.take_event())
    }

    fn end_line(&mut self) -> Result<Option<String>, SseError> {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            return Ok(self.take_event());
        }
        let line = std::str::from_utf8(&line).map_err(|_| SseError::NotUtf8)?;
        if line.starts_with(':') {
            return Ok(None);
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        if field == "data" {
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(value);
            self.has_data = true;
        }
        Ok(None)
    }

    fn take_event(&mut self) -> Option<String> {
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        Some(std::mem::take(&mut self.data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Result<Vec<String>, SseError> {
        let mut parser = SseParser::new(1024);
        let mut events = Vec::new();
        for chunk in chunks {
            events.extend(parser.push(chunk)?);
        }
        events.extend(parser.finish()?);
        Ok(events)
    }

    #[test]
    fn plain_events_and_comments() {
        let input =
            b": OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\n: keep-alive\n\ndata: [DONE]\n\n";
        assert_eq!(parse_all(&[input]).unwrap(), vec!["{\"a\":1}", "[DONE]"]);
    }

    #[test]
    fn crlf_and_lone_cr_line_ends() {
        assert_eq!(
            parse_all(&[b"data: one\r\n\r\ndata: two\r\rdata:three\n\n"]).unwrap(),
            vec!["one", "two", "three"]
        );
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        let events = parse_all(&[b"data: one\r", b"\n", b"\r", b"\ndata: two\r\n\r\n"]).unwrap();
        assert_eq!(events, vec!["one", "two"]);
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let events = parse_all(&[b"data: {\"a\":\ndata:  1}\nid: 7\nevent: x\n\n"]).unwrap();
        assert_eq!(events, vec!["{\"a\":\n 1}"]);
    }

    #[test]
    fn bytes_split_anywhere_including_inside_utf8() {
        let input = "data: olá 🌍\n\n".as_bytes();
        for cut in 1..input.len() {
            let events = parse_all(&[&input[..cut], &input[cut..]]).unwrap();
            assert_eq!(events, vec!["olá 🌍"], "cut at {cut}");
        }
    }

    #[test]
    fn event_without_closing_blank_line_is_kept_at_eof() {
        assert_eq!(parse_all(&[b"data: last"]).unwrap(), vec!["last"]);
        assert_eq!(parse_all(&[b"data: last\n"]).unwrap(), vec!["last"]);
        assert!(parse_all(&[b": only a comment"]).unwrap().is_empty());
    }

    #[test]
    fn blank_lines_without_data_dispatch_nothing() {
        assert!(parse_all(&[b"\n\n\r\n\nretry: 10\n\n"]).unwrap().is_empty());
        assert_eq!(parse_all(&[b"data\n\n"]).unwrap(), vec![""]);
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(parse_all(&[b"data: \xff\xfe\n\n"]), Err(SseError::NotUtf8));
        let long = vec![b'x'; 2000];
        assert_eq!(parse_all(&[&long]), Err(SseError::LineTooLong(1024)));
    }
}
