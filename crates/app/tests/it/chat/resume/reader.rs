//! Reading a `text/event-stream` frame by frame as it arrives, the way a client that
//! may leave in the middle does, with a proxy-like idle limit between reads.

use std::time::Duration;

use serde_json::Value;

/// One frame of a stream: an event (with its `id`, if any) or a comment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Frame {
    Event {
        id: Option<String>,
        name: String,
        data: Value,
    },
    Comment,
}

/// A stream being read.
pub(crate) struct Reader {
    response: reqwest::Response,
    buffer: String,
    /// No read may wait longer than this (an idle proxy would cut the stream).
    idle: Duration,
}

impl Reader {
    pub(crate) fn new(response: reqwest::Response, idle: Duration) -> Self {
        assert_eq!(response.status(), 200, "a stream");
        Self {
            response,
            buffer: String::new(),
            idle,
        }
    }

    /// The next frame, `None` at the end of the stream.
    ///
    /// # Panics
    /// When nothing arrives within the idle limit.
    pub(crate) async fn next(&mut self) -> Option<Frame> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&raw));
            }
            let chunk = tokio::time::timeout(self.idle, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("the stream was silent for more than {:?}", self.idle))
                .expect("stream body");
            self.buffer
                .push_str(std::str::from_utf8(&chunk?).expect("UTF-8"));
        }
    }

    /// Every event (not comment) to the end.
    pub(crate) async fn rest(mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        while let Some(frame) = self.next().await {
            if matches!(frame, Frame::Event { .. }) {
                frames.push(frame);
            }
        }
        frames
    }
}

fn parse(raw: &str) -> Frame {
    let (mut id, mut name, mut data) = (None, None, String::new());
    for line in raw.lines() {
        if line.starts_with(':') {
            return Frame::Comment;
        } else if let Some(value) = line.strip_prefix("id:") {
            id = Some(value.trim().to_owned());
        } else if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim().to_owned());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.trim_start());
        }
    }
    Frame::Event {
        id,
        name: name.expect("an event name"),
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    }
}
